"""posdesk.ui.shell."""
