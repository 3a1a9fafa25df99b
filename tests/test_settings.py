"""One configuration: every setting declared once (settings.py), read by one rule, checked at the start."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from app import create_app
from settings import SETTINGS, load_settings

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def instance(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    return folder


@pytest.mark.parametrize(
    "name, value",
    [
        ("AUDIO_CACHE_MAX_BYTES", "1GB"),
        ("PDF_CACHE_MAX_BYTES", "-5"),
        ("PROXY_COUNT", "one"),
        ("BIND", "0.0.0.0:http"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
        ("DATABASE_URL", "postgresql://docbai@db:five/docbai"),
        ("SITE_URL", "doc.example.vn"),
        ("TIMEZONE", "Hanoi"),
        ("TTS_ENGINE", "siri"),
        ("COLD_GENERATION_LIMIT", "a lot"),
        ("VIEW_FLUSH_SECONDS", "soon"),
        ("PODCAST_PREWARM_IN_BACKGROUND", "maybe"),
        ("WEB_THREADS", "0"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_setting(instance, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"} if name != "DATABASE_URL" else None)
    assert str(stopped.value).startswith(f"docbai: {name}=")


def test_flask_config_refuses_a_bad_value_without_a_traceback(instance):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "config"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "AUDIO_CACHE_MAX_BYTES": "1GB"}, timeout=60,
    )
    assert result.returncode == 1
    assert "AUDIO_CACHE_MAX_BYTES='1GB' is not valid" in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_stops_before_any_worker_on_a_bad_value(instance):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "WEB_TIMEOUT": "two minutes"}, timeout=60,
    )
    assert result.returncode != 0
    assert "WEB_TIMEOUT='two minutes' is not valid" in result.stderr and "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def test_the_environment_wins_over_the_instance_file_and_the_test_over_both(instance, monkeypatch):
    (instance / "config.py").write_text('SITE_NAME = "Từ tệp"\nARTICLES_PER_PAGE = 7\nPHOTOS_PER_PAGE = 9\n')
    monkeypatch.setenv("ARTICLES_PER_PAGE", "8")
    loaded = load_settings(str(instance), os.environ, {"PHOTOS_PER_PAGE": 3})
    assert loaded.values["SITE_NAME"] == "Từ tệp" and loaded.sources["SITE_NAME"] == "instance/config.py"
    assert loaded.values["ARTICLES_PER_PAGE"] == 8 and loaded.sources["ARTICLES_PER_PAGE"] == "environment"
    assert loaded.values["PHOTOS_PER_PAGE"] == 3 and loaded.sources["PHOTOS_PER_PAGE"] == "test"
    assert loaded.values["TIMEZONE"] == "Asia/Ho_Chi_Minh" and loaded.sources["TIMEZONE"] == "default"


def test_a_bad_value_in_the_instance_file_is_refused_too(instance):
    (instance / "config.py").write_text("AUDIO_CACHE_MAX_BYTES = '1GB'\n")
    with pytest.raises(SystemExit, match="AUDIO_CACHE_MAX_BYTES"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_folders_follow_storage_dir_unless_set_one_by_one(instance, monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("PDF_CACHE_DIR", str(tmp_path / "pdf"))
    values = load_settings(str(instance), os.environ).values
    assert values["MEDIA_ROOT"] == str(tmp_path / "shared" / "media")
    assert values["AUDIO_CACHE_DIR"] == str(tmp_path / "shared" / "cache" / "audio")
    assert values["PDF_CACHE_DIR"] == str(tmp_path / "pdf")


def test_an_empty_variable_counts_as_unset(instance, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("PROXY_COUNT", "")
    loaded = load_settings(str(instance), os.environ)
    assert loaded.values["REDIS_URL"] is None and loaded.values["PROXY_COUNT"] == 0


def test_flask_config_prints_sources_and_masks_secrets(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-very-secret-key-of-the-site")
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2@127.0.0.1:6379/0")
    monkeypatch.setenv("PROXY_COUNT", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://docbai:pa55word@db.local/docbai"})
    output = app.test_cli_runner().invoke(args=["config"]).output
    assert "a-very-secret-key" not in output and "hunter2" not in output and "pa55word" not in output
    lines = {line.split()[0]: line for line in output.splitlines() if line.strip()}
    assert lines["SECRET_KEY"].endswith("***  [environment]")
    assert "redis://:***@127.0.0.1:6379/0  [environment]" in lines["REDIS_URL"]
    assert "postgresql://docbai:***@db.local/docbai  [test]" in lines["DATABASE_URL"]
    assert lines["PROXY_COUNT"].endswith("1  [environment]")
    assert lines["TIMEZONE"].endswith("Asia/Ho_Chi_Minh  [default]")
    assert set(lines) >= {setting.name for setting in SETTINGS}


def test_only_the_settings_module_reads_the_environment():
    # A second reader would bring a second default; app.py only hands os.environ to load_settings.
    readers = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "bench"} or relative.name in {"settings.py"}:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\bos\.environ\b|\bgetenv\(", line):
                readers.append(f"{relative}: {line.strip()}")
    assert sorted(readers) == [
        "app.py: loaded = load_settings(app.instance_path, os.environ, test_config, debug=app.debug)",
        # Not a reader: prometheus-client takes its folder from this variable only.
        'services/infra/metrics.py: os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder',
    ]
