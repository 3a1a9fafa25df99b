"""`flask search`: the full-text index."""
import click
from flask.cli import with_appcontext

from extensions import db
from services.search.index import rebuild_search_index


@click.group("search")
def search_group():
    """The search index of the articles."""


@search_group.command("reindex")
@with_appcontext
def reindex_command():
    """Index every article again (the index normally keeps itself current through database triggers)."""
    with db.engine.begin() as connection:
        count = rebuild_search_index(connection)
    click.echo(f"Đã lập chỉ mục tìm kiếm cho {count} bài viết.")
