"""pantau: an Indonesian regional-news monitor."""

__version__ = "0.1.0"
