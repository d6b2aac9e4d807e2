"""Pages for customers themselves: their refund's page (a signed link in each email) and the request form."""
