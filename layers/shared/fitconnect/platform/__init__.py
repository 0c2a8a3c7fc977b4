"""Cross-cutting building blocks shared by every bounded context."""
