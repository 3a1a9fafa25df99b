"""Extension objects, created once and bound to the app in create_app()."""
import click
from flask_caching import Cache
from flask_compress import Compress
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
htmx = Htmx()
compress = Compress()
class DeferredMigrate:
    """Flask-Migrate (`flask db upgrade`: the schema's history in migrations/, Alembic), bound to the app only when
    something asks for it: the `flask db` commands and init-db do, a web worker never does, and importing Alembic
    would cost each worker about 15 MB."""

    def init_app(self, app, db, directory: str) -> None:
        """Record how Flask-Migrate is to be set up; it is, on the first look at app.extensions["migrate"]."""
        app.extensions["migrate"] = _MigrateWhenAsked(app, db, directory)
        app.cli.add_command(_DbCommandsWhenAsked("db", help="Đổi lược đồ cơ sở dữ liệu (Flask-Migrate, Alembic)."))


class _DbCommandsWhenAsked(click.Group):
    """`flask db …`: Flask-Migrate's own command group, imported only when a command line lists or runs it."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as migrate_commands

        return migrate_commands

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)

    def make_context(self, info_name, args, parent=None, **extra):
        # Click then invokes the context's own command: Flask-Migrate's group, with its options and callback.
        return self._commands().make_context(info_name, args, parent=parent, **extra)


class _MigrateWhenAsked:
    """Stands in app.extensions["migrate"] until an attribute is asked for: then Flask-Migrate puts its own there."""

    def __init__(self, app, db, directory: str):
        self._app, self._db, self._directory = app, db, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(self._app, self._db, directory=self._directory)  # replaces this object in app.extensions
        return getattr(self._app.extensions["migrate"], name)


migrate = DeferredMigrate()
cache = Cache()  # rendered pages: Redis when REDIS_URL is set, this process's memory otherwise (web.page_cache)
login_manager = LoginManager()  # the newsroom's sessions (blueprints.newsroom); readers never have one
csrf = CSRFProtect()  # checked by the newsroom's guard on every state-changing request, htmx's included
