"""``python -m microfolio.cli``."""

from microfolio.cli import main

main()
