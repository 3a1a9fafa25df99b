"""Creating the database schema without ever dropping data."""
from extensions import db
from services.search.index import create_search_index


def create_schema() -> None:
    """Create every missing table and the search index; existing tables and rows are left as they are."""
    import models  # noqa: F401  (registers the tables on the metadata)

    db.create_all()
    with db.engine.begin() as connection:
        create_search_index(connection)
