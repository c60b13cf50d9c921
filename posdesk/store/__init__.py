"""posdesk.store."""
