"""Listening ("Đọc bài"): an article's audio, whole or by segment, and the segment list for the player."""
from flask import Blueprint, abort, current_app, jsonify, request, url_for

from services.articles import get_published_article
from services.slugs import ascii_filename
from services.speech import NothingToSpeak, SpeechError, is_speakable
from web.cached_files import send_cached_file
from web.errors import render_error
from web.site_services import site_services

bp = Blueprint("listening", __name__)

# A URL carrying the current version (?v=) names bytes that will not change for this text, so browsers
# may keep it; any other request is checked again with its ETag, which costs a 304 and no audio.
VERSIONED_MAX_AGE = 7 * 24 * 3600
RETRY_AFTER_SECONDS = 60


def _audio_response(cached, download_name: str, version: str, as_attachment: bool = False):
    versioned = request.args.get("v") == version
    response = send_cached_file(
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
    version = site_services().speech.version(article)
    return {
        "audio": url_for("listening.article_audio", slug=article.slug, v=version),
        "download": url_for("listening.article_audio", slug=article.slug, v=version, tai_ve=1),
        "manifest": url_for("listening.manifest", slug=article.slug, v=version),
    }


@bp.get("/bai-viet/<slug>/nghe.mp3")
def article_audio(slug):
    """The whole article as one MP3; ?tai_ve=1 asks the browser to save it."""
    article = get_published_article(slug)
    speech = site_services().speech
    try:
        cached = speech.whole_audio(article)
    except NothingToSpeak:
        abort(404)
    except (SpeechError, TimeoutError) as error:
        current_app.logger.warning("No audio for %s: %s", slug, error)
        return _speech_unavailable()
    return _audio_response(
        cached, ascii_filename(slug, "mp3"), speech.version(article), as_attachment=request.args.get("tai_ve") == "1"
    )


@bp.get("/bai-viet/<slug>/nghe/<int:index>.mp3")
def segment_audio(slug, index):
    """One segment (0 is the title, then the body blocks) as MP3, so playback starts before the rest is made."""
    article = get_published_article(slug)
    speech = site_services().speech
    segments = speech.segments(article)
    if index >= len(segments) or not is_speakable(segments[index]):
        abort(404)
    try:
        cached = speech.narrator.segment_audio(segments[index])
    except (SpeechError, TimeoutError) as error:
        current_app.logger.warning("No audio for %s segment %d: %s", slug, index, error)
        return _speech_unavailable()
    return _audio_response(cached, ascii_filename(slug, "mp3", index), speech.version(article))


@bp.get("/bai-viet/<slug>/nghe.json")
def manifest(slug):
    """The player's list of segments with their audio URLs; costs no synthesis."""
    article = get_published_article(slug)
    speech = site_services().speech
    segments = speech.segments(article)
    version = speech.version(article)
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
