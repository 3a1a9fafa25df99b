"""Extension objects, created once and bound to the app in create_app()."""
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
