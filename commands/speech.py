"""`flask speak` and `flask tts`: hearing a text as Đọc bài says it, and the audio cache."""
import sys

import click
from flask.cli import with_appcontext

from services.content.articles import every_article, latest_published
from services.infra.files import PruneReport, write_atomically
from services.content.formatting import vietnamese_number
from services.speech import NothingToSpeak, SpeechError
from services.vietnamese import explain, spoken_form
from web.site_services import site_services


@click.command("speak")
@click.argument("text")
@click.option("--text-only", is_flag=True, help="Print the spoken form of TEXT instead of speaking it.")
@click.option("--explain", "explain_rules", is_flag=True,
              help="Print which rule or lexicon entry changed each part of TEXT, then its spoken form.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="MP3 file to write ('-': stdout).")
@with_appcontext
def speak_command(text, text_only, explain_rules, output):
    """Say TEXT the way Đọc bài does: print its spoken form, explain it, or write it as MP3."""
    speech = site_services().speech
    table = speech.lexicon.table()
    spoken = spoken_form(text, table)
    if explain_rules:
        for change in explain(text, table):
            click.echo(f"{change.original} → {change.spoken}  [{change.rule}]")
        click.echo(f"= {spoken}")
        return
    if text_only:
        click.echo(spoken)
        return
    if not output:
        raise click.UsageError("Cần -o TỆP.mp3 để ghi âm thanh, hoặc --text-only để xem chữ sẽ đọc.")
    try:
        audio = speech.narrator.synthesize(spoken)
    except NothingToSpeak:
        raise click.ClickException("Không có chữ nào để đọc.")
    except SpeechError as error:
        raise click.ClickException(f"Không tạo được âm thanh: {error}")
    if output == "-":
        sys.stdout.buffer.write(audio.mp3)
        sys.stdout.buffer.flush()
    else:
        write_atomically(output, audio.mp3)
    click.echo(f"Đã ghi {vietnamese_number(len(audio.mp3))} byte MP3 (giọng {audio.engine}).", err=True)


@click.group("tts")
def tts_group():
    """The audio cache of Đọc bài: prune old audio, make new audio ahead of time."""


@tts_group.command("prune")
@with_appcontext
def prune_command():
    """Delete cached audio that no current article uses (left behind by edits and deletions)."""
    speech = site_services().speech
    keep = speech.keys_in_use(every_article())
    mp3, opus = speech.narrator.cache.prune(keep=keep), speech.narrator.opus_cache.prune(keep=keep)
    result = PruneReport(mp3.removed_files + opus.removed_files, mp3.freed_bytes + opus.freed_bytes)
    click.echo(f"Đã xóa {result.removed_files} tệp, giải phóng {result.freed_bytes / 1_000_000:.1f} MB.")


@tts_group.command("prewarm")
@click.option("--latest", "count", default=20, show_default=True, type=click.IntRange(1, 100_000),
              help="How many of the newest published articles to voice.")
@with_appcontext
def prewarm_command(count):
    """Make the audio of the newest articles now, so their first listeners do not wait."""
    articles = latest_published(count)
    with click.progressbar(length=len(articles), label="Tạo âm thanh") as bar:
        report = site_services().speech.prewarm(articles, progress=bar.update)
    for slug, reason in report.failed:
        click.echo(f"{slug}: lỗi: {reason}", err=True)
    click.echo(f"Đã có âm thanh cho {report.made} bài ({report.already} bài có sẵn), lỗi {len(report.failed)}.")
    if report.failed:
        raise SystemExit(1)
