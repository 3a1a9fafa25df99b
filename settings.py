"""Every docbai setting, declared once: its name, default, type and one line of meaning.

One rule reads them, in this order, the later winning: the default here, then `instance/config.py` (a
Python file of UPPERCASE names), then an environment variable of the setting's own name (an empty one
counts as unset), then the test override given to create_app. The one renamed variable is DATABASE_URL,
which becomes Flask-SQLAlchemy's SQLALCHEMY_DATABASE_URI.

A value that does not fit its type (a port that is not a number, a budget of "1GB" where bytes are
expected) stops the start with a message naming the setting: `SettingError`, which create_app turns into a
clean exit and gunicorn.conf.py checks before any worker starts. `flask --app app config` prints what is in
force, where each value came from, secrets masked.

This module knows nothing of Flask: gunicorn's configuration file reads its own settings here too.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = os.path.dirname(os.path.abspath(__file__))
INSTANCE_CONFIG_FILE = "config.py"

DEFAULT = "default"
INSTANCE_FILE = "instance/config.py"
ENVIRONMENT = "environment"
TEST = "test"


class SettingError(ValueError):
    """A setting's value does not fit its type; the message names the setting and what it expects."""


@dataclass(frozen=True)
class Defaults:
    """What a default may depend on: where the instance folder is, whether the debug server runs, and the
    settings declared before it (STORAGE_DIR before the folders it holds)."""

    instance_path: str
    debug: bool
    values: Mapping[str, object]

    @property
    def storage(self) -> str:
        """The folder of media, audio, PDFs and the lexicon: STORAGE_DIR, or the instance folder."""
        return self.values.get("STORAGE_DIR") or self.instance_path


# Parsers: each takes what an operator wrote (a string from the environment, or a Python value from
# instance/config.py) and returns the value the code uses, or raises ValueError saying what it expects.

def text(value) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def whole_number(minimum: int = 0) -> Callable[[object], int]:
    def parse(value) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError("expected a whole number")
        if isinstance(value, str):
            if not re.fullmatch(r"\s*\d+\s*", value):
                raise ValueError("expected a whole number, digits only")
            value = int(value)
        if value < minimum:
            raise ValueError(f"expected a whole number of at least {minimum}")
        return value

    parse.__doc__ = f"a whole number ≥ {minimum}"
    return parse


def byte_count(value) -> int:
    """A size in bytes, digits only: "1GB" is refused rather than guessed (GB or GiB?)."""
    try:
        return whole_number(0)(value)
    except ValueError:
        raise ValueError("expected a number of bytes, digits only (1 GiB is 1073741824)") from None


def seconds(value) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number of seconds")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number of seconds") from None
    if not number >= 0 or number == float("inf"):
        raise ValueError("expected a number of seconds, zero or more")
    return number


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    words = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError("expected true or false (1/0, yes/no, on/off)")


def choice(*options: str) -> Callable[[object], str]:
    def parse(value) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def url(*schemes: str) -> Callable[[object], str]:
    def parse(value) -> str:
        value = text(value).strip()
        parts = urlsplit(value)
        scheme = parts.scheme.split("+")[0]
        if scheme not in schemes or not (parts.netloc or parts.path):
            raise ValueError(f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}")
        try:
            parts.port  # noqa: B018 (raises for a port that is not a number)
        except ValueError:
            raise ValueError("the URL's port is not a number") from None
        return value

    return parse


def database_url(value) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(text(value).strip()).port  # noqa: B018 (a port that is not a number fails here)
    except (ArgumentError, ValueError):
        raise ValueError("expected an SQLAlchemy URL such as postgresql://user@host/db or sqlite:///path") from None
    return value.strip()


def folder(value) -> str:
    return os.path.abspath(text(value))


def name_list(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected names separated by commas")
    return [item.strip() for item in value if item.strip()]


def time_zone(value) -> str:
    try:
        ZoneInfo(text(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected a time zone name such as Asia/Ho_Chi_Minh") from None
    return value


def rate_limit(value) -> str:
    from limits import parse_many

    try:
        parse_many(text(value))
    except ValueError:
        raise ValueError('expected a rate such as "12 per minute"') from None
    return value


def token(value) -> str:
    """A secret a client presents: long enough that guessing it is hopeless."""
    value = text(value).strip()
    if len(value) < 16:
        raise ValueError("expected at least 16 characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return value


def bind_address(value) -> str:
    value = text(value).strip()
    if value.startswith("unix:"):
        return value
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT with a port from 1 to 65535, or unix:PATH")
    return value


def clock_time(value) -> str:
    """A time of day, HH:MM on the 24-hour clock."""
    value = text(value).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("expected a time of day as HH:MM, e.g. 17:00")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


BULLETIN_PLACEHOLDERS = ("station", "place", "date")


def bulletin_wording(value) -> str:
    """Text of the bulletin's opening or closing, with {station}, {place} and {date} where they are said."""
    import string

    value = text(value).strip()
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
    except ValueError:
        raise ValueError("unbalanced { or }; write {{ or }} for a brace itself") from None
    if unknown := names - set(BULLETIN_PLACEHOLDERS):
        raise ValueError(f"unknown {', '.join('{' + name + '}' for name in sorted(unknown))}; "
                         "only {station}, {place} and {date} are filled in")
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: the name it has in app.config and the environment, its default (a value, or a function
    of Defaults), how a written value is read, and what it means."""

    name: str
    default: object
    parse: Callable[[object], object]
    meaning: str
    secret: bool = False  # never printed
    optional: bool = False  # None (unset) is a valid value
    config_key: str | None = None  # its key in app.config when that differs from the name

    @property
    def key(self) -> str:
        return self.config_key or self.name

    def default_for(self, context: Defaults) -> object:
        return self.default(context) if callable(self.default) else self.default

    def read(self, value) -> object:
        """The value in force for what an operator wrote; SettingError when it does not fit."""
        if value is None or (isinstance(value, str) and not value.strip() and self.optional):
            if self.optional:
                return None
            raise SettingError(f"{self.name} must be set: {self.meaning}")
        try:
            return self.parse(value)
        except ValueError as error:
            raise SettingError(f"{self.name}={value!r} is not valid: {error}.") from None


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


SETTINGS: tuple[Setting, ...] = (
    # The site
    Setting("SITE_NAME", "Cổng thông tin điện tử huyện Đồng Lâm", text, "the portal's name, in pages, PDFs and feeds"),
    Setting("SITE_URL", "http://127.0.0.1:5000", url("http", "https"),
            "the public address, used in PDFs, feeds and the CLI; https turns on HSTS and secure cookies"),
    Setting("TIMEZONE", "Asia/Ho_Chi_Minh", time_zone, "the time zone dates are shown in"),
    Setting("SECRET_KEY", None, text, "signs cookies; unset, a random key is made once in instance/secret_key",
            secret=True, optional=True),
    # Where things are kept
    Setting("DATABASE_URL", lambda d: "sqlite:///" + os.path.join(d.instance_path, "docbai.db"),
            database_url,
            "any SQLAlchemy URL; SQLite in the instance folder by default",
            config_key="SQLALCHEMY_DATABASE_URI"),
    Setting("REDIS_URL", None, url("redis", "rediss", "unix"),
            "Redis for the job queue, page cache, views, locks and rate limits; unset, all in process",
            optional=True),
    Setting("REDIS_TIMEOUT_SECONDS", 0.5, seconds,
            "the longest a page waits on one Redis call; a failure then skips Redis for REDIS_BREAKER_SECONDS"),
    Setting("REDIS_BREAKER_SECONDS", 5.0, seconds,
            "after a Redis failure, pages use their in-process fallbacks this long before trying Redis again"),
    Setting("STORAGE_DIR", None, folder,
            "one folder several hosts share (a network mount) for media, audio and PDFs",
            optional=True),
    Setting("MEDIA_ROOT", lambda d: os.path.join(d.storage, "media"), folder, "stored images and files"),
    Setting("AUDIO_CACHE_DIR", lambda d: os.path.join(d.storage, "cache", "audio"), folder, "made audio"),
    Setting("PDF_CACHE_DIR", lambda d: os.path.join(d.storage, "cache", "pdf"), folder, "made PDFs"),
    Setting("ABBREVIATIONS_FILE", lambda d: os.path.join(d.storage, "abbreviations.tsv"), folder,
            "the editors' old lexicon file (TSV), imported into the database once by `flask db upgrade`"),
    Setting("AUDIO_CACHE_MAX_BYTES", 1024**3, byte_count,
            "the audio cache's budget in bytes (1 GiB: about 100 hours, some 2,500 articles)"),
    Setting("AUDIO_OPUS_CACHE_MAX_BYTES", 512 * 1024**2, byte_count,
            "the budget in bytes of the data saver's Opus audio, beside the MP3s (512 MiB: some 100 hours of sentences)"),
    Setting("PDF_CACHE_MAX_BYTES", 512 * 1024**2, byte_count, "the PDF cache's budget in bytes"),
    # Object storage (services/infra/storage.py): media, audio and PDFs in an S3-compatible bucket
    Setting("STORAGE_BACKEND", "local", choice("local", "s3"),
            "local: media and caches in the folders above; s3: in S3_BUCKET, each host keeping a local copy"),
    Setting("S3_ENDPOINT_URL", None, url("http", "https"),
            "the S3-compatible service's address (MinIO, SeaweedFS, a cloud's); unset, Amazon S3", optional=True),
    Setting("S3_BUCKET", None, text, "the bucket of STORAGE_BACKEND=s3", optional=True),
    Setting("S3_PREFIX", "", text, "a folder in the bucket for this site's objects, e.g. docbai/"),
    Setting("S3_REGION", "us-east-1", text, "the bucket's region (most S3-compatible services accept any)"),
    Setting("AWS_ACCESS_KEY_ID", None, text, "the bucket's access key", secret=True, optional=True),
    Setting("AWS_SECRET_ACCESS_KEY", None, text, "the bucket's secret key", secret=True, optional=True),
    Setting("S3_TIMEOUT_SECONDS", 5.0, seconds,
            "the longest one call to the bucket may wait for an answer; a failure skips it for S3_BREAKER_SECONDS"),
    Setting("S3_BREAKER_SECONDS", 10.0, seconds,
            "after a bucket failure, new audio and PDFs answer 503 this long before the bucket is tried again"),
    Setting("LOCAL_COPY_MAX_BYTES", 256 * 1024**2, byte_count,
            "with s3, each host's local copy of the audio and PDFs it serves, in bytes (least recently used go)"),
    # Speech
    Setting("TTS_ENGINE", "auto", choice("auto", "piper", "gtts", "espeak"),
            "auto: a Piper voice if one is in VOICES_DIR, then Google, then espeak-ng"),
    Setting("VOICES_DIR", lambda d: os.path.join(d.instance_path, "voices"), folder,
            "where an operator places a Piper voice (.onnx and .onnx.json)"),
    # Generation of audio and PDFs
    Setting("GENERATION_WORKERS", _cores(), whole_number(1),
            "without Redis, generation jobs this process runs at once (about one per core)"),
    Setting("GENERATION_QUEUE_MAX", 500, whole_number(1), "generation jobs that may wait; beyond, a 503"),
    Setting("GENERATION_WAITERS", 4, whole_number(1),
            "requests of one process that may wait for a file being made; the rest get “đang chuẩn bị”"),
    Setting("COLD_GENERATION_LIMIT", "12 per minute", rate_limit,
            "new audio or PDFs one client may start; cached files are never limited"),
    Setting("PDF_RENDER_TIMEOUT", 15.0, seconds, "the longest one PDF may take to render"),
    Setting("PDF_WAIT_SECONDS", 8.0, seconds, "how long a request waits for a PDF before “đang chuẩn bị”"),
    Setting("SEGMENT_WAIT_SECONDS", 10.0, seconds, "how long a request waits for a first sentence's audio"),
    Setting("AUDIO_WHOLE_GRACE_SECONDS", 1.5, seconds,
            "how long a first whole-MP3 request waits for the file before streaming it"),
    Setting("AUDIO_FIRST_WAIT_SECONDS", 8.0, seconds, "how long a stream waits for its first segment"),
    Setting("AUDIO_NEXT_WAIT_SECONDS", 30.0, seconds, "how long a stream waits for each next segment"),
    Setting("PODCAST_PREWARM_IN_BACKGROUND", True, boolean,
            "the podcast feed queues the audio of the episodes it lacks"),
    Setting("PODCAST_OWNER_EMAIL", "", text, "the podcast owner's address in the feed (may be empty)"),
    # The daily bulletin (bản tin truyền thanh): services/bulletin/, blueprints/bulletins.py
    Setting("BULLETIN_STATION", "Đài Truyền thanh huyện Đồng Lâm", text,
            "the station's name, as the bulletin's opening and closing say it ({station})"),
    Setting("BULLETIN_PLACE", "huyện Đồng Lâm", text, "the commune or district whose news it is ({place})"),
    Setting("BULLETIN_OPENING",
            "Đây là {station}. Hôm nay, {date}. Mời bà con cùng nghe bản tin của {place}.", bulletin_wording,
            "what the bulletin opens with; {date} is said the way a newsreader says it"),
    Setting("BULLETIN_CLOSING",
            "Bản tin của {station} đến đây là hết. Cảm ơn bà con đã chú ý lắng nghe.", bulletin_wording,
            "what the bulletin ends with"),
    Setting("BULLETIN_TIME", "17:00", clock_time,
            "when the day's bulletin is made (in TIMEZONE); it reads the articles of the 24 hours before"),
    Setting("BULLETIN_MINUTES", 10, whole_number(1), "the length the daily rule keeps a bulletin within"),
    Setting("BULLETIN_AUTO_PUBLISH", True, boolean,
            "the daily bulletin is published when made; off, it waits as a draft for an editor"),
    Setting("BULLETIN_JINGLES_DIR", lambda d: os.path.join(d.storage, "jingles"), folder,
            "where an operator may place opening.*, between.* and closing.* (MP3, WAV, FLAC or Ogg)"),
    Setting("BULLETIN_CACHE_DIR", lambda d: os.path.join(d.storage, "cache", "bulletins"), folder,
            "made bulletins (MP3)"),
    Setting("BULLETIN_CACHE_MAX_BYTES", 1024**3, byte_count,
            "the bulletin cache's budget in bytes (1 GiB: about 280 bulletins of 10 minutes)"),
    Setting("BULLETINS_PER_PAGE", 5, whole_number(1), "bulletins per page of /ban-tin/"),
    # Caching and counting
    Setting("PAGE_CACHE_SECONDS", lambda d: 0 if d.debug else 60, whole_number(0),
            "how long a rendered reading page is kept; 0 turns the page cache off (the debug server)"),
    Setting("PAGE_NEAR_CACHE_SECONDS", 5, whole_number(0),
            "how long each process keeps a page it read from the cache, as it is"),
    Setting("PAGE_NEAR_CACHE_ENTRIES", 256, whole_number(1),
            "how many such pages each process keeps (compressed, about 8 KB each)"),
    Setting("PAGE_BODY_CACHE_ENTRIES", 1024, whole_number(1),
            "how many pages each process keeps compressed, as sent (about 8 KB each)"),
    Setting("CONTENT_VERSION_RECHECK_SECONDS", lambda d: 0.0 if d.debug else 0.5, seconds,
            "how stale another process's edit may be here"),
    Setting("STATIC_RECHECK_SECONDS", lambda d: 0.0 if d.debug else 1.0, seconds,
            "how often a process looks for an edited static file it inlines"),
    Setting("VIEW_FLUSH_SECONDS", 1.0, seconds, "how long counted views wait before one UPDATE writes them"),
    # Pages
    Setting("ARTICLES_PER_PAGE", 10, whole_number(1), "articles per page of a list"),
    Setting("OTHER_ARTICLES_PER_PAGE", 5, whole_number(1), "articles per page of “Các tin khác”"),
    Setting("PHOTOS_PER_PAGE", 12, whole_number(1), "pictures per page of the photo library"),
    # Requests
    Setting("TRUSTED_HOSTS", None, name_list, "host names the site answers to; any other Host gets a 400",
            optional=True),
    Setting("PROXY_COUNT", 0, whole_number(0),
            "proxies in front whose X-Forwarded-For/-Proto are believed (1 behind nginx)"),
    Setting("ACCEL_REDIRECT_PREFIX", "", text, "nginx's internal location for cached files (e.g. /_cache/)"),
    Setting("ACCEL_REDIRECT_ROOT", lambda d: os.path.join(d.storage, "cache"), folder,
            "the folder ACCEL_REDIRECT_PREFIX maps to"),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, byte_count,
            "the largest request body; reading pages only have a few short forms"),
    Setting("MAX_FORM_MEMORY_SIZE", 16 * 1024, byte_count, "the largest form field kept in memory"),
    Setting("MAX_FORM_PARTS", 100, whole_number(1), "the most fields a form may have"),
    # The newsroom (Tòa soạn, /bien-tap/)
    Setting("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60, whole_number(60),
            "a newsroom session idle this long ends; the next request asks for the password again"),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes", rate_limit,
            "failed logins one account may have before it must wait (per account, from any address)"),
    Setting("LOGIN_LIMIT_PER_CLIENT", "20 per 15 minutes", rate_limit,
            "failed logins one address may make, whichever names it tries"),
    Setting("PASSWORD_MIN_LENGTH", 10, whole_number(8), "the shortest password an account may have"),
    Setting("PASSWORD_HASH_MEMORY_KIB", 64 * 1024, whole_number(8),
            "memory one argon2id password hash takes, in KiB (RFC 9106's second choice: 64 MiB)"),
    Setting("PASSWORD_HASH_TIME_COST", 3, whole_number(1), "argon2id passes over that memory"),
    Setting("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, byte_count,
            "the largest picture an editor may upload (the rest of the site keeps MAX_CONTENT_LENGTH)"),
    Setting("EDITOR_FORM_MAX_BYTES", 2 * 1024 * 1024, byte_count,
            "the largest article an editor may save (its HTML and fields together)"),
    Setting("NEWSROOM_ARTICLES_PER_PAGE", 20, whole_number(1), "articles per page of the newsroom's list"),
    # The gunicorn server (gunicorn.conf.py)
    Setting("BIND", "127.0.0.1:8000", bind_address, "where gunicorn listens: HOST:PORT or unix:PATH"),
    Setting("WEB_CONCURRENCY", lambda d: max(2, _cores()), whole_number(1), "gunicorn worker processes"),
    Setting("WEB_THREADS", 8, whole_number(1), "threads per gunicorn worker"),
    Setting("WEB_TIMEOUT", 120, whole_number(1), "seconds before gunicorn replaces a wedged worker"),
    Setting("WEB_MAX_REQUESTS", 50_000, whole_number(0), "requests before a worker is replaced; 0 never"),
    Setting("LOG_LEVEL", "info", choice("debug", "info", "warning", "error", "critical"),
            "the log level of gunicorn and of the app (a line per request is info)"),
    # Operating (blueprints/operations.py: /healthz, /readyz, /metrics)
    Setting("LOG_FORMAT", "text", choice("text", "json"), "log lines as text, or one JSON object a line"),
    Setting("METRICS_TOKEN", None, token,
            "the bearer token /metrics asks for (Authorization: Bearer …); unset, /metrics answers 404",
            secret=True, optional=True),
    # Not PROMETHEUS_MULTIPROC_DIR: gunicorn hands the client a folder inside this one under that name, which
    # its workers would then read back as this setting.
    Setting("METRICS_DIR", lambda d: os.path.join(d.instance_path, "metrics"), folder,
            "where this host's gunicorn workers and `flask worker`s keep their metrics for /metrics to add up"),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}
BY_KEY = {setting.key: setting for setting in SETTINGS}


@dataclass
class LoadedSettings:
    """The settings in force (by app.config key), where each came from, and the other UPPERCASE values the
    instance file or the test override gave (Flask's own, an extension's), passed through as they are."""

    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    passed_through: dict[str, object] = field(default_factory=dict)


def instance_folder(environ: Mapping[str, str] = os.environ) -> str:
    """The instance folder: INSTANCE_PATH, or `instance/` beside this file."""
    return os.path.abspath(environ.get("INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance"))


def read_instance_file(instance_path: str) -> dict[str, object]:
    """The UPPERCASE names of instance/config.py, as Flask's from_pyfile reads them; {} without the file."""
    path = os.path.join(instance_path, INSTANCE_CONFIG_FILE)
    namespace: dict[str, object] = {"__file__": path}
    try:
        with open(path, "rb") as file:
            source = file.read()
    except FileNotFoundError:
        return {}
    exec(compile(source, path, "exec"), namespace)  # the operator's own file, as Flask would run it
    return {name: value for name, value in namespace.items() if name.isupper()}


def load_settings(
    instance_path: str,
    environ: Mapping[str, str] = os.environ,
    overrides: Mapping[str, object] | None = None,
    debug: bool = False,
) -> LoadedSettings:
    """Every setting's value and source, by the one rule above; SettingError names the first bad one."""
    from_file = read_instance_file(instance_path)
    overrides = dict(overrides or {})
    loaded = LoadedSettings()
    for setting in SETTINGS:
        layers = (
            (INSTANCE_FILE, from_file, setting.key),
            (ENVIRONMENT, {k: v for k, v in environ.items() if v != ""}, setting.name),
            (TEST, overrides, setting.key),
        )
        value, source = None, DEFAULT
        for layer_source, layer, name in layers:
            if name in layer:
                value, source = layer[name], layer_source
        if source == DEFAULT:
            value = setting.default_for(Defaults(instance_path, debug, loaded.values))
            if value is not None:
                value = setting.read(value)
        else:
            value = setting.read(value)
        loaded.values[setting.key] = value
        loaded.sources[setting.key] = source
    for layer in (from_file, overrides):
        for name, value in layer.items():
            if name not in BY_KEY:
                loaded.passed_through[name] = value
    if loaded.values["STORAGE_BACKEND"] == "s3" and not loaded.values["S3_BUCKET"]:
        raise SettingError("S3_BUCKET must be set when STORAGE_BACKEND=s3: the bucket of media, audio and PDFs")
    return loaded


def masked(setting: Setting, value: object) -> str:
    """How `flask config` shows a value: secrets as ***, a password inside a URL as ***."""
    if value is None:
        return "(unset)"
    if value == "":
        return '""'
    if setting.secret:
        return "***"
    if isinstance(value, str) and "@" in value and "://" in value:
        parts = urlsplit(value)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
    return repr(value) if not isinstance(value, str) else value
