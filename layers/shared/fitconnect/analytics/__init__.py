"""Analytics: the archive of domain events and, later, reports built from it."""
