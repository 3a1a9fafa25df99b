"""The `flask` command line: every command group, registered on the app in one place (but `flask db`, the
migrations, which Flask-Migrate adds in create_app)."""
from commands.backup import backup_command, restore_command
from commands.bulletin import bulletin_group
from commands.config import config_command
from commands.content import import_articles_command, seed_demo_command
from commands.database import init_db_command
from commands.lexicon import lexicon_group
from commands.printing import pdf_group
from commands.search import search_group
from commands.speech import speak_command, tts_group
from commands.storage import storage_group
from commands.users import users_group
from commands.worker import worker_command

COMMANDS = (
    config_command,
    init_db_command,
    backup_command,
    restore_command,
    seed_demo_command,
    import_articles_command,
    search_group,
    speak_command,
    tts_group,
    pdf_group,
    worker_command,
    users_group,
    bulletin_group,
    lexicon_group,
    storage_group,
)


def register_commands(app) -> None:
    """Add every command to `flask` for this app."""
    for command in COMMANDS:
        app.cli.add_command(command)
