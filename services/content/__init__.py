"""Content: articles and their queries, importing and sanitizing, slugs, pagination, formatting, the body as
readers get it, and view counts."""
