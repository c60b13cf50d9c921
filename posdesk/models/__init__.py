"""posdesk.models."""
