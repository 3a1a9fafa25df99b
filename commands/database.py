"""The database's schema: `flask init-db`, and the revisions of the migrations (`flask db …`, the migrations
themselves, is Flask-Migrate's, added to the app in create_app). Alembic is imported by the functions that use
it: every command module is imported with the app, web workers included, which never migrate."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from extensions import db
from services.infra.schema import create_schema

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory


def migration_scripts() -> ScriptDirectory:
    """The migrations in migrations/, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revision() -> str:
    """The newest migration this code has."""
    return migration_scripts().get_current_head()


def database_revision() -> str | None:
    """The migration the database is at; None when it was never migrated (empty, or made by an older init-db)."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ready_database() -> None:
    """A new, empty database is made whole from the models and marked as at the newest migration; any other
    is upgraded through the migrations (nothing to do when it is already at the newest)."""
    import flask_migrate

    with db.engine.connect() as connection:
        empty = not sa.inspect(connection).get_table_names()
    if empty:
        create_schema()
        flask_migrate.stamp()
    elif database_revision() != head_revision():
        flask_migrate.upgrade()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Make a new database (all tables and the search index, marked as at the newest migration); an existing
    one is upgraded as `flask db upgrade` would. Never drops anything."""
    ready_database()
    click.echo("Cơ sở dữ liệu đã sẵn sàng.")

