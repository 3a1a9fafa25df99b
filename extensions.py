"""Extension objects, created once and bound to the app in create_app()."""
from flask_caching import Cache
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
htmx = Htmx()
compress = Compress()
migrate = Migrate()  # `flask db upgrade`: the schema's history in migrations/ (Alembic)
cache = Cache()  # rendered pages: Redis when REDIS_URL is set, this process's memory otherwise (web.page_cache)
login_manager = LoginManager()  # the newsroom's sessions (blueprints.newsroom); readers never have one
csrf = CSRFProtect()  # checked by the newsroom's guard on every state-changing request, htmx's included
