"""Listening ("Đọc bài"): an article's audio, whole or by segment, the segment list for the player, the speech CLI."""
import sys

import click
from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for
from flask.cli import with_appcontext

from blueprints.errors import render_error
from services.article_audio import (
    article_segments,
    audio_keys_in_use,
    audio_version,
    latest_published_articles,
    narrator_for_app,
    prewarm_articles,
)
from services.articles import get_published_article
from services.files import write_atomically
from services.formatting import vietnamese_number
from services.slugs import ascii_filename
from services.speech import NothingToSpeak, SpeechError, is_speakable
from services.vietnamese import spoken_form

# cli_group=None: the commands are top-level, `flask speak` and `flask tts …`.
bp = Blueprint("listening", __name__, cli_group=None)

# A URL carrying the current version (?v=) names bytes that will not change for this text, so browsers
# may keep it; any other request is checked again with its ETag, which costs a 304 and no audio.
VERSIONED_MAX_AGE = 7 * 24 * 3600
RETRY_AFTER_SECONDS = 60


def _narrator():
    return narrator_for_app(current_app)


def _audio_response(cached, download_name: str, version: str, as_attachment: bool = False):
    versioned = request.args.get("v") == version
    response = send_file(
        cached.path,
        mimetype="audio/mpeg",
        conditional=True,  # Range (206) so a phone can seek and resume, If-None-Match (304)
        etag=cached.key,
        download_name=download_name,
        as_attachment=as_attachment,
        max_age=VERSIONED_MAX_AGE if versioned else None,
    )
    if not versioned:
        response.cache_control.public = True
        response.cache_control.no_cache = True
    return response


def _speech_unavailable():
    response = current_app.make_response(
        render_error(503, "Chưa đọc được bài này", "Máy chủ chưa tạo được âm thanh. Xin thử lại sau ít phút.")
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response


@bp.app_template_global()
def listening_links(article) -> dict:
    """URLs of an article's audio for its page: the whole file, its download and the player's segment list."""
    version = audio_version(article_segments(article))
    return {
        "audio": url_for("listening.article_audio", slug=article.slug, v=version),
        "download": url_for("listening.article_audio", slug=article.slug, v=version, tai_ve=1),
        "manifest": url_for("listening.manifest", slug=article.slug, v=version),
    }


@bp.get("/bai-viet/<slug>/nghe.mp3")
def article_audio(slug):
    """The whole article as one MP3; ?tai_ve=1 asks the browser to save it."""
    article = get_published_article(slug)
    segments = article_segments(article)
    try:
        cached = _narrator().article_audio(segments)
    except NothingToSpeak:
        abort(404)
    except (SpeechError, TimeoutError) as error:
        current_app.logger.warning("No audio for %s: %s", slug, error)
        return _speech_unavailable()
    return _audio_response(
        cached, ascii_filename(slug, "mp3"), audio_version(segments), as_attachment=request.args.get("tai_ve") == "1"
    )


@bp.get("/bai-viet/<slug>/nghe/<int:index>.mp3")
def segment_audio(slug, index):
    """One segment (0 is the title, then the body blocks) as MP3, so playback starts before the rest is made."""
    article = get_published_article(slug)
    segments = article_segments(article)
    if index >= len(segments) or not is_speakable(segments[index]):
        abort(404)
    try:
        cached = _narrator().segment_audio(segments[index])
    except (SpeechError, TimeoutError) as error:
        current_app.logger.warning("No audio for %s segment %d: %s", slug, index, error)
        return _speech_unavailable()
    return _audio_response(cached, ascii_filename(slug, "mp3", index), audio_version(segments))


@bp.get("/bai-viet/<slug>/nghe.json")
def manifest(slug):
    """The player's list of segments with their audio URLs; costs no synthesis."""
    article = get_published_article(slug)
    segments = article_segments(article)
    version = audio_version(segments)
    response = jsonify(
        title=article.title,
        version=version,
        audio=url_for("listening.article_audio", slug=slug, v=version),
        segments=[
            {"index": index, "url": url_for("listening.segment_audio", slug=slug, index=index, v=version)}
            for index, text in enumerate(segments)
            if is_speakable(text)
        ],
    )
    if request.args.get("v") == version:
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE
    else:
        response.cache_control.no_cache = True
    return response


@click.command("speak")
@click.argument("text")
@click.option("--text-only", is_flag=True, help="Print the spoken form of TEXT instead of speaking it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="MP3 file to write ('-': stdout).")
@with_appcontext
def speak_command(text, text_only, output):
    """Say TEXT the way Đọc bài does: print its spoken form, or write it as MP3."""
    spoken = spoken_form(text)
    if text_only:
        click.echo(spoken)
        return
    if not output:
        raise click.UsageError("Cần -o TỆP.mp3 để ghi âm thanh, hoặc --text-only để xem chữ sẽ đọc.")
    try:
        audio = _narrator().synthesize(spoken)
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
    narrator = _narrator()
    result = narrator.cache.prune(audio_keys_in_use(narrator))
    click.echo(f"Đã xóa {result.removed_files} tệp, giải phóng {result.freed_bytes / 1_000_000:.1f} MB.")


@tts_group.command("prewarm")
@click.option("--latest", "count", default=20, show_default=True, type=click.IntRange(1, 100_000),
              help="How many of the newest published articles to voice.")
@with_appcontext
def prewarm_command(count):
    """Make the audio of the newest articles now, so their first listeners do not wait."""
    narrator = _narrator()
    articles = latest_published_articles(count)
    with click.progressbar(length=len(articles), label="Tạo âm thanh") as bar:
        report = prewarm_articles(narrator, articles, progress=bar.update)
    for slug, reason in report.failed:
        click.echo(f"{slug}: lỗi: {reason}", err=True)
    click.echo(f"Đã có âm thanh cho {report.made} bài, lỗi {len(report.failed)}.")
    if report.failed:
        raise SystemExit(1)


bp.cli.add_command(speak_command)
bp.cli.add_command(tts_group)
