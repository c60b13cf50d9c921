"""posdesk: a desktop back office for Kensium POS."""

__version__ = "0.1.0"
