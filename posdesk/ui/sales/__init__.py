"""posdesk.ui.sales."""
