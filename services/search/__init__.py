"""Search: the full-text index on SQLite or PostgreSQL, and the Vietnamese search text."""
