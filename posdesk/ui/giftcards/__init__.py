"""posdesk.ui.giftcards."""
