"""Tòa soạn, the newsroom at /bien-tap/: accounts and logging in (auth), writing, revisions and publishing
(articles), previews by eye, ear and paper (previews), pictures (uploads), the day's bulletin for the loudspeakers
(bulletins), accounts, categories and the audit log for administrators (admin). base.py holds the blueprint and
the guard every view is behind."""
from blueprints.newsroom.base import bp, init_newsroom

__all__ = ["bp", "init_newsroom"]
