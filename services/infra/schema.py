"""Creating the database schema without ever dropping data, and what the migrations compare it with."""
from extensions import db
from services.search.index import create_search_index

# The search index (services/search/index.py) is made by SQL of its own, in the migrations too, not by the
# models: on SQLite an FTS5 table with its shadow tables (article_search_data, …), on PostgreSQL a table.
SEARCH_INDEX_TABLE = "article_search"


def create_schema() -> None:
    """Create every missing table and the search index; existing tables and rows are left as they are."""
    import models  # noqa: F401  (registers the tables on the metadata)

    db.create_all()
    with db.engine.begin() as connection:
        create_search_index(connection)


def is_model_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: whether autogenerate compares this object with the models.

    The search index is not in the models' metadata; without this, `flask db migrate` would write a
    migration dropping it, and the test that models and migrations agree would always see a difference.
    """
    if type_ == "table" and (name == SEARCH_INDEX_TABLE or name.startswith(SEARCH_INDEX_TABLE + "_")):
        return not (reflected and compare_to is None)
    return True
