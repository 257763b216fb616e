"""Side-by-side benchmarks of microfolio against peer libraries (not part of the package)."""
