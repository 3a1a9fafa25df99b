"""Alembic's environment for `flask --app app db …`: the app's engine, the models' metadata, and what
autogenerate leaves alone (the search index, which the migrations make with SQL of their own)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from extensions import db
from models import UTCDateTime  # importing models also puts every table on db.metadata
from services.infra.schema import is_model_object

config = context.config
# A program that set up logging itself (the tests, a caller embedding the upgrade) keeps it: fileConfig would
# replace the root logger's handlers and level under it. `flask db …` sets up none, so it reports what it runs.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def skip_empty_revision(context_, revision, directives):
    """`flask db migrate` with no change in the models writes no empty migration."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No change in the models: no migration written.")


def render_item(type_, object_, autogen_context):
    """Write the models' UTCDateTime as the column type it stores, so a migration never imports models.py."""
    if type_ == "type" and isinstance(object_, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    """Run the migrations on the app's own engine (its SQLite connections get the search functions)."""
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=is_model_object,
            render_item=render_item,
            process_revision_directives=skip_empty_revision,
            # Flask-Migrate's: compare column types, and write batch operations, which SQLite needs to alter a
            # column (it copies the table) and PostgreSQL runs as plain ALTERs.
            **current_app.extensions["migrate"].configure_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    # The baseline looks at the database to see what an older release already made; SQL written out
    # without a database (`--sql`) cannot do that.
    raise SystemExit("docbai: `flask db upgrade --sql` is not supported; run the migrations on the database.")
run_migrations_online()
