"""posdesk.ui.customers."""
