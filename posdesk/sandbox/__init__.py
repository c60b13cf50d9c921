"""posdesk.sandbox."""
