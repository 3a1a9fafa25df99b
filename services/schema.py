"""Creating the database schema without ever dropping data."""
from extensions import db


def create_schema() -> None:
    """Create every missing table; existing tables and rows are left as they are."""
    import models  # noqa: F401  (registers the tables on the metadata)

    db.create_all()
