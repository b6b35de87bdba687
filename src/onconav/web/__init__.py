"""The web face: page rendering, locale negotiation and the one place errors become responses."""
