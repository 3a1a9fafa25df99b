"""Preview by eye, ear and paper: Xem trước (the draft as readers will see it, phone width too), Nghe thử (the
reader's player on the draft's sentences, through the same narrator and audio cache: what the editor hears
is what the first listener of the published article will hear, from the same files), Bản in thử (its PDF).

All staff-only, under the guard; none of it is ever stored by a cache (Cache-Control: no-store)."""
from __future__ import annotations

from flask import Response, abort, current_app, make_response, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wsgi import wrap_file

from blueprints.newsroom.articles import staff_article
from blueprints.newsroom.base import bp
from blueprints.newsroom.checking import pronunciation_check
from services.content.article_body import body_for_display
from services.content.articles import other_articles
from services.content.pagination import paginate_clamped
from services.content.slugs import ascii_filename
from services.infra.files import ConcatenatedFiles
from services.printing.render import PdfRenderError
from services.speech import SpeechError, is_speakable
from web import generation
from web.background import staff_audio_job, staff_pdf_job
from web.cached_files import send_cached_file
from web.errors import service_unavailable
from web.site_services import site_services


def preview_links(article) -> dict:
    """What the reader's templates link to, pointed at the newsroom's staff-only routes for this article."""
    version = site_services().speech.version(article)
    return {
        "audio": url_for("newsroom.preview_audio", article_id=article.id, v=version),
        "download": url_for("newsroom.preview_audio", article_id=article.id, v=version),
        "manifest": url_for("newsroom.preview_manifest", article_id=article.id, v=version),
        "pdf": url_for("newsroom.preview_pdf", article_id=article.id),
        "editor": url_for("newsroom.edit_article", article_id=article.id),
        "phone": url_for("newsroom.preview_phone", article_id=article.id),
    }


@bp.get("/bai-viet/<int:article_id>/xem-truoc")
def preview(article_id):
    """The article as readers will see it, with its player (Nghe thử) and its PDF (Bản in thử), marked as a
    preview; never counted as a view, never cached."""
    article = staff_article(article_id)
    others = paginate_clamped(other_articles(article), 1, current_app.config["OTHER_ARTICLES_PER_PAGE"])
    response = make_response(render_template(
        "newsroom/preview.html",
        article=article, others=others, views=article.views, fragment=False,
        body=Markup(body_for_display(article.content_hash, article.body_html)),
        preview=preview_links(article), check=pronunciation_check(article),
    ))
    # The phone-width view shows this page in a frame of the site's own (app.py's CSP follows this header).
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/bai-viet/<int:article_id>/xem-truoc/dien-thoai")
def preview_phone(article_id):
    """The preview in a frame as wide as a phone (360 × 740), for an editor at a desk."""
    article = staff_article(article_id)
    return render_template("newsroom/preview_phone.html", article=article,
                           preview_url=url_for("newsroom.preview", article_id=article.id))


@bp.get("/bai-viet/<int:article_id>/nghe.json")
def preview_manifest(article_id):
    """The player's list of sentences of the article as it is now, each with its staff-only audio URL."""
    article = staff_article(article_id)
    speech = site_services().speech
    version = speech.version(article)
    return {
        "title": article.title,
        "version": version,
        "audio": url_for("newsroom.preview_audio", article_id=article.id, v=version),
        "segments": [
            {
                "index": index,
                "url": url_for("newsroom.preview_segment", article_id=article.id, index=index, v=version),
                "block": sentence.block,
                "text": sentence.text,
                "spoken": sentence.spoken,
            }
            for index, sentence in enumerate(speech.sentences(article))
            if is_speakable(sentence.spoken)
        ],
    }


def _preparing(article, head: bool = False):
    return generation.preparing_response(
        title="Đang chuẩn bị âm thanh",
        message=f"Máy chủ đang đọc thử bài “{article.title}”. Xin chờ vài giây.",
        file_url=url_for("newsroom.preview_audio", article_id=article.id),
        status_url=url_for("newsroom.preview_audio", article_id=article.id),
        head=head,
    )


def _speech_unavailable():
    return service_unavailable(60, "Chưa đọc thử được bài này", "Máy chủ chưa tạo được âm thanh. Xin thử lại sau ít phút.")


def _start_audio(article):
    """None once the article's audio job is queued or running, else the answer that says why not."""
    if site_services().speech.failure(article) is not None:
        return _speech_unavailable()
    return generation.refusal_to_start(staff_audio_job(article))


@bp.get("/bai-viet/<int:article_id>/nghe/<int:index>.mp3")
def preview_segment(article_id, index):
    """One sentence of the draft as MP3 (0 is the title), made by the job queue like a reader's, into the same
    cache: a later reader of the published article is sent these very files."""
    article = staff_article(article_id)
    speech = site_services().speech
    segments = speech.segments(article)
    if index >= len(segments) or not is_speakable(segments[index]):
        abort(404)
    if (cached := speech.cached_segment(article, index)) is None:
        if request.method == "HEAD":
            return _preparing(article, head=True)
        if (refused := _start_audio(article)) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _preparing(article)
        try:
            cached = speech.wait_for_segment(article, index, current_app.config["SEGMENT_WAIT_SECONDS"])
        except SpeechError as error:
            current_app.logger.warning("No preview audio for article %s segment %d: %s", article.id, index, error)
            return _speech_unavailable()
        finally:
            release()
        if cached is None:
            return _preparing(article)
    return send_cached_file(cached.path, mimetype="audio/mpeg", conditional=True, etag=cached.key,
                            download_name=ascii_filename(article.slug, "mp3", index))


@bp.get("/bai-viet/<int:article_id>/nghe.mp3")
def preview_audio(article_id):
    """The whole draft as one MP3 once it is made (the player without JavaScript); until then, "đang chuẩn bị"."""
    article = staff_article(article_id)
    speech = site_services().speech
    if not any(is_speakable(text) for text in speech.segments(article)):
        abort(404)
    if (audio := speech.cached_whole_audio(article)) is None:
        if request.method == "HEAD":
            return _preparing(article, head=True)
        if (refused := _start_audio(article)) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _preparing(article)
        try:
            audio = speech.wait_for_whole(article, current_app.config["AUDIO_WHOLE_GRACE_SECONDS"])
        except SpeechError:
            return _speech_unavailable()
        finally:
            release()
        if audio is None:
            return _preparing(article)
    response = Response(wrap_file(request.environ, ConcatenatedFiles(audio.paths)), mimetype="audio/mpeg",
                        direct_passthrough=True)
    response.content_length = audio.size_bytes
    response.set_etag(audio.key)
    return response.make_conditional(request, accept_ranges=True, complete_length=audio.size_bytes)


def _pdf_failed(article):
    response = make_response(render_template("printing/pdf_error.html", article=article), 503)
    response.headers["Retry-After"] = "30"
    return response


@bp.get("/bai-viet/<int:article_id>/ban-in.pdf")
def preview_pdf(article_id):
    """Bản in thử: the article's A4 PDF as it reads now, made by the job queue like a reader's."""
    article = staff_article(article_id)
    pdfs = site_services().pdfs
    if (path := pdfs.cached(article)) is None:
        if pdfs.failure(article) is not None:
            return _pdf_failed(article)
        if (refused := generation.refusal_to_start(staff_pdf_job(article))) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _pdf_preparing(article)
        try:
            pdf = pdfs.wait_for(article, current_app.config["PDF_WAIT_SECONDS"])
        except PdfRenderError as error:
            current_app.logger.warning("Preview PDF of article %s could not be rendered: %s", article.id, error)
            return _pdf_failed(article)
        finally:
            release()
        if pdf is None:
            return _pdf_preparing(article)
        path = pdf.path
    return send_cached_file(path, mimetype="application/pdf", download_name=ascii_filename(article.slug, "pdf"),
                            conditional=True)


def _pdf_preparing(article):
    url = url_for("newsroom.preview_pdf", article_id=article.id)
    return generation.preparing_response(
        title="Đang chuẩn bị bản in thử", message=f"Máy chủ đang tạo tệp PDF của bài “{article.title}”.",
        file_url=url, status_url=url,
    )
