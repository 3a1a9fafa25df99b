"""`flask config`: the settings in force, where each came from, secrets masked."""
import click
from flask import current_app
from flask.cli import with_appcontext

from settings import SETTINGS, masked


@click.command("config")
@click.option("--meaning", is_flag=True, help="Also print what each setting means.")
@with_appcontext
def config_command(meaning):
    """Print every setting in force with its source (default, instance/config.py, environment)."""
    loaded = current_app.extensions["docbai_settings"]
    width = max(len(setting.name) for setting in SETTINGS)
    for setting in SETTINGS:
        source = loaded.sources[setting.key]
        click.echo(f"{setting.name:<{width}}  {masked(setting, loaded.values[setting.key])}  [{source}]")
        if meaning:
            click.echo(f"{'':<{width}}  — {setting.meaning}")
    if loaded.passed_through:
        names = ", ".join(sorted(loaded.passed_through))
        click.echo(f"Khác (Flask và thư viện, không kiểm tra): {names}")
