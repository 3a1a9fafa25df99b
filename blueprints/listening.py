"""Listening ("Đọc bài"): an article's audio, whole or by segment (one sentence), and the player's segment list.

Audio is made by the job queue, never by the thread serving the request. A cached file is sent at once
(never rate-limited). A first whole-article MP3 is streamed while its job makes the segments (espeak-ng
speaks about 47 times faster than it is heard, so the stream never runs dry); a first segment is waited
for briefly. HEAD never makes anything.

Under the data saver (the reader's switch, else the browser's Save-Data) the player's segment list also names each
sentence's Ogg Opus, about half the bytes of its MP3 (services.speech.opus); the player takes it when the browser
says it can play it. The page's own <audio> (JavaScript off) then lists the whole article's Opus before its MP3, and
the browser takes the first it plays. The MP3s stay for everyone else, the podcast and downloads.
"""
from flask import Blueprint, Response, abort, current_app, jsonify, make_response, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import wrap_file

from services.content.articles import get_published_article
from services.infra.files import ConcatenatedFiles
from services.content.slugs import ascii_filename
from services.speech import SpeechError, is_speakable
from services.speech.opus import OPUS_MIMETYPE, OPUS_SOURCE_TYPE
from services.statistics.counting import MP3
from web.background import audio_job, whole_opus_job
from web.cached_files import send_cached_file
from web.counting import count_download, is_counted_request, today
from web.errors import service_unavailable
from web.generation import preparing_response, ready_fragment, refusal_to_start, take_waiting_slot
from web.page_cache import cached_value
from web.preferences import saving_data
from web.site_services import site_services

bp = Blueprint("listening", __name__)

# A URL carrying the current version (?v=) names bytes that will not change for this text, so browsers
# may keep it; any other request is checked again with its ETag, which costs a 304 and no audio.
VERSIONED_MAX_AGE = 7 * 24 * 3600
RETRY_AFTER_SECONDS = 60
# The player's speeds, written into its <select> by the template; player.js reads them from there.
PLAYBACK_SPEEDS = ("0.75", "1", "1.25", "1.5", "1.75", "2")
DEFAULT_SPEED = "1"
MP3_MIMETYPE = "audio/mpeg"


def _audio_response(cached, download_name: str, version: str, as_attachment: bool = False, mimetype=MP3_MIMETYPE):
    versioned = request.args.get("v") == version
    response = send_cached_file(
        cached.path,
        mimetype=mimetype,
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


def _whole_audio_response(audio, download_name: str, version: str, as_attachment: bool):
    """The cached whole MP3: its segment files read in order, with Range and If-None-Match like one file."""
    versioned = request.args.get("v") == version
    response = Response(
        wrap_file(request.environ, ConcatenatedFiles(audio.paths)), mimetype="audio/mpeg", direct_passthrough=True
    )
    response.content_length = audio.size_bytes
    response.set_etag(audio.key)
    response.headers["Content-Disposition"] = f"{'attachment' if as_attachment else 'inline'}; filename={download_name}"
    response.cache_control.public = True
    if versioned:
        response.cache_control.max_age = VERSIONED_MAX_AGE
    else:
        response.cache_control.no_cache = True
    return response.make_conditional(request, accept_ranges=True, complete_length=audio.size_bytes)


def _streamed_audio_response(chunks, download_name: str, as_attachment: bool, release):
    """The first whole MP3, sent while it is made: no length, no range, not to be kept by caches."""
    response = Response(chunks, mimetype="audio/mpeg")
    response.headers["Content-Disposition"] = f"{'attachment' if as_attachment else 'inline'}; filename={download_name}"
    response.headers["Accept-Ranges"] = "none"
    response.cache_control.no_store = True
    response.call_on_close(release)
    return response


def _preparing(article, head: bool = False):
    return preparing_response(
        title="Đang chuẩn bị âm thanh",
        message=f"Máy chủ đang chuẩn bị âm thanh của bài “{article.title}”. Xin chờ vài giây.",
        file_url=url_for("listening.article_audio", slug=article.slug, v=site_services().speech.version(article)),
        status_url=url_for("listening.audio_status", slug=article.slug),
        head=head,
    )


def _refusal_to_make(article, job=None):
    """None once the article's audio job (or job) is queued or running and this request may wait for it, else
    the answer: "đang chuẩn bị" for a HEAD (which never makes anything), the 503 of a remembered failure, or
    why the job cannot start."""
    if request.method == "HEAD":
        # Never made for a HEAD; the article's job makes the segments in order anyway.
        return _preparing(article, head=True)
    if site_services().speech.failure(article) is not None:
        return _speech_unavailable()
    return refusal_to_start(job or audio_job(article))


def _speech_unavailable():
    return service_unavailable(
        RETRY_AFTER_SECONDS, "Chưa đọc được bài này", "Máy chủ chưa tạo được âm thanh. Xin thử lại sau ít phút."
    )


@bp.app_template_global()
def playback_speeds() -> list[dict]:
    """The player's speeds for its <select>: value, the label a Vietnamese reader reads (0,75×), the default."""
    return [{"value": speed, "label": speed.replace(".", ",") + "×", "selected": speed == DEFAULT_SPEED}
            for speed in PLAYBACK_SPEEDS]


@bp.app_template_global()
def listening_links(article) -> dict:
    """URLs of an article's audio for its page: the whole file (MP3, and Opus for the data saver with its MIME type),
    its download and the player's segment list."""
    version = site_services().speech.version(article)
    return {
        "audio": url_for("listening.article_audio", slug=article.slug, v=version),
        "audio_opus": url_for("listening.article_opus", slug=article.slug, v=version),
        "opus_type": OPUS_SOURCE_TYPE,
        "download": url_for("listening.article_audio", slug=article.slug, v=version, tai_ve=1),
        "manifest": url_for("listening.manifest", slug=article.slug, v=version),
        "report": url_for("listening.listening_beacon", slug=article.slug),
    }


@bp.get("/bai-viet/<slug>/nghe.mp3")
def article_audio(slug):
    """The whole article as one MP3; ?tai_ve=1 asks the browser to save it."""
    article = get_published_article(slug)
    speech = site_services().speech
    config = current_app.config
    download_name = ascii_filename(slug, "mp3")
    as_attachment = request.args.get("tai_ve") == "1"
    version = speech.version(article)
    if not any(is_speakable(text) for text in speech.segments(article)):
        abort(404)
    if (audio := speech.cached_whole_audio(article)) is not None:
        return count_download(article.id, MP3, _whole_audio_response(audio, download_name, version, as_attachment))
    if (refused := _refusal_to_make(article)) is not None:
        return refused
    release = take_waiting_slot()
    if release is None:
        return _preparing(article)
    streaming = False
    try:
        # Most articles are whole within a moment: the listener then gets a file to seek in.
        if (audio := speech.wait_for_whole(article, config["AUDIO_WHOLE_GRACE_SECONDS"])) is not None:
            return count_download(article.id, MP3, _whole_audio_response(audio, download_name, version, as_attachment))
        chunks = speech.stream_while_made(article, config["AUDIO_FIRST_WAIT_SECONDS"], config["AUDIO_NEXT_WAIT_SECONDS"])
        if chunks is None:
            return _preparing(article)
        streaming = True
        # The waiting place is held until the stream is sent: that thread serves no page meanwhile.
        return count_download(article.id, MP3, _streamed_audio_response(chunks, download_name, as_attachment, release))
    except SpeechError as error:
        current_app.logger.warning("No audio for %s: %s", slug, error)
        return _speech_unavailable()
    finally:
        if not streaming:
            release()


@bp.get("/bai-viet/<slug>/nghe.opus")
def article_opus(slug):
    """The whole article as one Ogg Opus file, the data saver's lighter one for the page's own player. Made by a job
    of its own the first time it is asked for (after the article's audio, where missing): until then a short wait,
    then "đang chuẩn bị" (an <audio> then falls back to the MP3 <source> after it, which streams while it is
    made)."""
    article = get_published_article(slug)
    speech = site_services().speech
    if not any(is_speakable(text) for text in speech.segments(article)):
        abort(404)
    if (cached := speech.cached_whole_opus(article)) is None:
        if (refused := _refusal_to_make(article, whole_opus_job(article))) is not None:
            return refused
        if (release := take_waiting_slot()) is None:
            return _preparing(article)
        try:
            cached = speech.wait_for_whole_opus(article, current_app.config["AUDIO_WHOLE_GRACE_SECONDS"])
        except SpeechError as error:
            current_app.logger.warning("No audio for %s: %s", slug, error)
            return _speech_unavailable()
        finally:
            release()
        if cached is None:
            return _preparing(article)
    return _audio_response(cached, ascii_filename(slug, "opus"), speech.version(article), mimetype=OPUS_MIMETYPE)


@bp.get("/bai-viet/<slug>/nghe/trang-thai")
def audio_status(slug):
    """Whether the article's whole MP3 is ready: the self-replacing status of the "đang chuẩn bị" page."""
    article = get_published_article(slug)
    speech = site_services().speech
    if speech.cached_whole_audio(article) is None:
        if speech.failure(article) is not None:
            return _speech_unavailable()
        # Neither the file nor a live job (evicted before it was whole, or its worker died): queue it again.
        if (refused := refusal_to_start(audio_job(article))) is not None:
            return refused
        return _preparing(article)
    return ready_fragment(
        title="Âm thanh đã sẵn sàng",
        file_url=url_for("listening.article_audio", slug=slug, v=speech.version(article)),
        link_text="Nghe hoặc tải tệp âm thanh (MP3)",
    )


@bp.get("/bai-viet/<slug>/nghe/<int:index>.mp3")
def segment_audio(slug, index):
    """One segment (a sentence; 0 is the title) as MP3, so playback starts before the rest is made."""
    return _segment_response(slug, index, opus=False)


@bp.get("/bai-viet/<slug>/nghe/<int:index>.opus")
def segment_opus(slug, index):
    """One segment as Ogg Opus, the data saver's lighter file; made by the same job as the MP3s."""
    return _segment_response(slug, index, opus=True)


def _segment_response(slug: str, index: int, opus: bool):
    article = get_published_article(slug)
    speech = site_services().speech
    segments = speech.segments(article)
    if index >= len(segments) or not is_speakable(segments[index]):
        abort(404)
    cached_now, wait_for = (
        (speech.cached_opus_segment, speech.wait_for_opus_segment) if opus
        else (speech.cached_segment, speech.wait_for_segment)
    )
    if (cached := cached_now(article, index)) is None:
        if (refused := _refusal_to_make(article)) is not None:
            return refused
        if (release := take_waiting_slot()) is None:
            return _preparing(article)
        try:
            cached = wait_for(article, index, current_app.config["SEGMENT_WAIT_SECONDS"])
        except SpeechError as error:
            current_app.logger.warning("No audio for %s segment %d: %s", slug, index, error)
            return _speech_unavailable()
        finally:
            release()
        if cached is None:
            return _preparing(article)
    if opus:
        return _audio_response(cached, ascii_filename(slug, "opus", index), speech.version(article),
                               mimetype=OPUS_MIMETYPE)
    return _audio_response(cached, ascii_filename(slug, "mp3", index), speech.version(article))


def _segment_sources(slug: str, index: int, version: str) -> list[dict]:
    """The files of one segment the player may choose from, the lighter first, each with the MIME type it asks
    the browser about (canPlayType)."""
    return [
        {"url": url_for("listening.segment_opus", slug=slug, index=index, v=version), "type": OPUS_SOURCE_TYPE},
        {"url": url_for("listening.segment_audio", slug=slug, index=index, v=version), "type": MP3_MIMETYPE},
    ]


@bp.get("/bai-viet/<slug>/nghe.json")
def manifest(slug):
    """The player's list of segments, one per sentence: its audio URL (MP3), its block on the page (data-seg), its
    text as shown there (to highlight it) and as spoken (for the device's own voice); under the data saver also its
    sources, the Opus file first, each with its MIME type. Costs no synthesis. Differs by the data saver, so it
    varies by the cookie and Save-Data (web.preferences adds them)."""
    article = get_published_article(slug)
    speech = site_services().speech
    version = speech.version(article)
    light = saving_data()
    segments = []
    for index, sentence in enumerate(speech.sentences(article)):
        if not is_speakable(sentence.spoken):
            continue
        segment = {
            "index": index,
            "url": url_for("listening.segment_audio", slug=slug, index=index, v=version),
            "block": sentence.block,
            "text": sentence.text,
            "spoken": sentence.spoken,
        }
        if light:
            segment["sources"] = _segment_sources(slug, index, version)
        segments.append(segment)
    response = jsonify(
        title=article.title,
        version=version,
        audio=url_for("listening.article_audio", slug=slug, v=version),
        segments=segments,
    )
    if request.args.get("v") == version:
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE
    else:
        response.cache_control.no_cache = True
    return response


def _listening_facts(slug: str) -> list[int] | None:
    """[article id, number of segments] of the published article, or None."""
    try:
        article = get_published_article(slug)
    except HTTPException:
        return None
    return [article.id, len(site_services().speech.segments(article))]


def _flag(name: str) -> bool:
    value = request.form.get(name, "")
    if value not in ("", "1"):
        abort(400)
    return value == "1"


@bp.post("/bai-viet/<slug>/nghe/thong-ke")
def listening_beacon(slug):
    """What one play of the article reported (navigator.sendBeacon from the player): bat_dau=1 when it started,
    het_bai=1 when it reached the end, cau= the sentences it reached since its last report (their indices in
    nghe.json, comma-separated). No cookie, nothing about the listener; a crawler's or a prefetch's is ignored."""
    facts = cached_value(f"listening-facts:{slug}", lambda: _listening_facts(slug))
    if facts is None:
        abort(404)
    article_id, segment_count = facts
    started, ended = _flag("bat_dau"), _flag("het_bai")
    listed = request.form.get("cau", "").strip()
    try:
        sentences = {int(part) for part in listed.split(",")} if listed else set()
    except ValueError:
        abort(400)
    if any(not 0 <= sentence < segment_count for sentence in sentences):
        abort(400)
    if is_counted_request("POST"):
        site_services().events.count_play(article_id, today(), started, ended, sentences)
    response = make_response("", 204)
    response.cache_control.no_store = True
    return response
