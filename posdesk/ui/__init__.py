"""posdesk.ui."""
