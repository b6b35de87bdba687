"""Treatment requests to several centers, their offers, and the side-by-side comparison (docs/quotes.md)."""
