"""syndicate: syndication feeds and email digests for multilingual Jekyll news sites."""

__version__ = "0.1.0"
