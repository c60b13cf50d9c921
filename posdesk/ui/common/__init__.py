"""posdesk.ui.common."""
