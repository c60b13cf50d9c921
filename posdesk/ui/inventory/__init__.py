"""posdesk.ui.inventory."""
