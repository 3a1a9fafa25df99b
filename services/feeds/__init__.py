"""Feeds: RSS, the podcast of read-aloud articles, its cover, and the sitemap."""
