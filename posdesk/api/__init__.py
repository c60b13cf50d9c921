"""posdesk.api."""
