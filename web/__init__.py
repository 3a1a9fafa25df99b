"""Request-aware helpers shared by the blueprints: htmx fragments, caching headers, assets, URLs, templates."""
