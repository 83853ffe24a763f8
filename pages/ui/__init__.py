"""What the page scripts share: cached data access, the URL-backed filters, labels, tables."""
