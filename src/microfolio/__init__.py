"""microfolio: an open-source AI-driven robo-advisor engine."""

__version__ = "0.1.0"
__all__ = ["__version__"]
