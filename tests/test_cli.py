"""The command line as an operator meets it: one registry of commands, and `flask speak --explain`."""

import pytest

from support import add_lexicon_entries


def test_the_command_line_is_exactly_the_commands_of_the_registry(app):
    from commands import COMMANDS

    ours = {command.name for command in COMMANDS}
    assert ours == {"config", "init-db", "backup", "restore", "seed-demo", "import-articles", "search", "speak", "tts",
                    "pdf", "worker", "users", "bulletin", "lexicon", "storage"}
    # Flask-Migrate's `db` besides (extensions.DeferredMigrate); a command added to the app outside the
    # registry would show here.
    assert set(app.cli.list_commands(None)) == ours | {"db"}


def test_flask_db_has_the_migration_commands(app):
    db_group = app.cli.get_command(None, "db")
    assert {"upgrade", "migrate", "current", "stamp", "downgrade"} <= set(db_group.list_commands(None))


def test_speak_explain_names_the_rule_behind_each_change(runner):
    result = runner.invoke(args=["speak", "--explain", "BCH Quân sự huyện họp lúc 7h-11h tại QL.32."])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("BCH → Ban Chỉ huy") and "[lexicon BCH" in line for line in lines), lines
    assert any("quốc lộ ba mươi hai" in line and "[road]" in line for line in lines), lines
    assert lines[-1] == "= Ban Chỉ huy Quân sự huyện họp lúc bảy giờ đến mười một giờ tại quốc lộ ba mươi hai."


def test_speak_explain_follows_the_editors_lexicon(app, runner):
    add_lexicon_entries(app, "ĐTĐL\tĐoàn thanh niên Đồng Lâm\n")
    result = runner.invoke(args=["speak", "--explain", "ĐTĐL họp."])
    assert "ĐTĐL → Đoàn thanh niên Đồng Lâm  [abbreviation ĐTĐL]" in result.output.splitlines()


@pytest.mark.parametrize("text", ["", "…"])
def test_speak_explain_of_nothing_to_change_prints_only_the_result(runner, text):
    result = runner.invoke(args=["speak", "--explain", text])
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"= {text}"]
