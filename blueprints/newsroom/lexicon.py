"""Từ điển đọc, the editors' pronunciation workbench: the lexicon's entries (search, add, change, delete, import and
export as TSV), Nghe thử of an entry or a sentence through the site's own narrator, and Kiểm tra cách đọc of an
article (its sentences as spoken, the rule or entry behind each change, and what the normalizer is unsure of).

Every change is in force on every host within a second and queues, at low priority, the audio of the articles
it changes (web.background.after_lexicon_change); the old audio is served until the new one is whole."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.newsroom.articles import staff_article
from blueprints.newsroom.base import bp, record, requires
from blueprints.newsroom.checking import pronunciation_check
from blueprints.newsroom.forms import ActionForm, LexiconForm, LexiconImportForm
from extensions import db
from models import LexiconEntry
from services.content.pagination import paginate_clamped, parse_page
from services.infra.files import RememberedFailure
from services.newsroom.accounts import WRITE
from services.newsroom.lexicon import (
    KIND_NAMES,
    DuplicateEntry,
    check_entry,
    editor_entries,
    entry_of,
    find_entries,
    import_tsv,
    export_tsv,
    sample_sentence,
    save_entry,
    split_context,
)
from services.speech import is_speakable
from services.vietnamese import spoken_form
from services.vietnamese.lexicon import Entry, lexicon_with
from web import generation
from web.background import after_lexicon_change, sample_job
from web.cached_files import send_cached_file
from web.errors import service_unavailable
from web.htmx import render_page_or_fragment
from web.site_services import site_services

ENTRIES_PER_PAGE = 50
SAMPLE_MAX_CHARACTERS = 400  # a sentence, not an article: Nghe thử makes no long audio on demand


def _entry(entry_id: int) -> LexiconEntry:
    row = db.session.get(LexiconEntry, entry_id)
    if row is None:
        abort(404)
    return row


def _before() -> list[Entry]:
    return editor_entries(db.session.connection())


def _label(entry: Entry) -> str:
    return f"{entry.key} → {entry.spoken}" + (f" ({entry.context})" if entry.context else "")


def _entry_from(form: LexiconForm) -> Entry:
    return check_entry(form.viet.data or "", form.doc.data or "", form.loai.data or "", form.sau.data or "",
                       form.truoc.data or "")


def _listing(form: LexiconForm, status: int = 200, problem: str | None = None):
    words = " ".join(request.args.get("q", "").split())[:200]
    pagination = paginate_clamped(find_entries(words), parse_page(request.args.get("trang")), ENTRIES_PER_PAGE)
    response = render_page_or_fragment(
        "newsroom/lexicon.html", "newsroom/_lexicon_list.html",
        pagination=pagination, words=words, list_endpoint="newsroom.lexicon", list_args={"q": words} if words else {},
        form=form, import_form=LexiconImportForm(), action_form=ActionForm(), problem=problem, KIND_NAMES=KIND_NAMES,
        split_context=split_context,
    )
    response.status_code = status
    return response


@bp.get("/tu-dien")
@requires(WRITE)
def lexicon():
    """The entries (searched by written or spoken form), the form that adds one (prefilled from the check
    panel's "Thêm vào từ điển"), import and export."""
    form = LexiconForm(formdata=None)
    form.viet.data = request.args.get("viet", "")[:200]
    form.doc.data = request.args.get("doc", "")[:500]
    kind = request.args.get("loai", "")
    form.loai.data = kind if kind in KIND_NAMES else ""
    form.sau.data = request.args.get("sau", "")[:140]
    form.truoc.data = request.args.get("truoc", "")[:140]
    return _listing(form)


@bp.post("/tu-dien")
@requires(WRITE)
def add_lexicon_entry():
    """Add an entry; in force on every host within a second, the audio it changes made again."""
    form = LexiconForm()
    if not form.validate():
        return _listing(form, 400)
    try:
        entry = _entry_from(form)
    except ValueError as error:
        return _listing(form, 400, str(error))
    before = _before()
    try:
        save_entry(None, entry, current_user)
    except DuplicateEntry:
        db.session.rollback()
        return _listing(form, 409, f"“{entry.key}” đã có trong từ điển với cùng loại và ngữ cảnh: hãy sửa mục đó.")
    record("lexicon_added", target=_label(entry)[:300])
    db.session.commit()
    after_lexicon_change(before)
    flash(f"Đã thêm “{entry.key}” đọc là “{entry.spoken}”. Các bài có từ này sẽ được đọc lại.", "info")
    return redirect(url_for("newsroom.lexicon", q=entry.key))


@bp.route("/tu-dien/<int:entry_id>", methods=["GET", "POST"])
@requires(WRITE)
def lexicon_entry(entry_id):
    """One entry: change it (GET shows the form filled in)."""
    row = _entry(entry_id)
    form = LexiconForm() if request.method == "POST" else LexiconForm(formdata=None)
    problem, status = None, 200
    if request.method == "GET":
        form.viet.data, form.doc.data, form.loai.data = row.written, row.spoken, row.kind
        form.sau.data, form.truoc.data = split_context(row.context)
    elif form.validate():
        try:
            entry = _entry_from(form)
            before = _before()
            old = _label(entry_of(row))
            save_entry(row, entry, current_user)
        except ValueError as error:  # DuplicateEntry too
            db.session.rollback()
            problem, status = (str(error) if not isinstance(error, DuplicateEntry)
                               else "Đã có mục khác cùng cách viết, loại và ngữ cảnh."), 400
        else:
            record("lexicon_edited", target=_label(entry)[:300], detail=f"trước: {old}")
            db.session.commit()
            after_lexicon_change(before)
            flash(f"Đã lưu “{entry.key}” đọc là “{entry.spoken}”.", "info")
            return redirect(url_for("newsroom.lexicon", q=entry.key))
    else:
        status = 400
    return render_template("newsroom/lexicon_entry.html", row=row, form=form, action_form=ActionForm(),
                           problem=problem, KIND_NAMES=KIND_NAMES), status


@bp.post("/tu-dien/<int:entry_id>/xoa")
@requires(WRITE)
def delete_lexicon_entry(entry_id):
    """Delete an entry: the built-in reading, if any, is in force again."""
    form = ActionForm()
    if not form.validate():
        abort(400)
    row = _entry(entry_id)
    before = _before()
    label = _label(entry_of(row))
    db.session.delete(row)
    record("lexicon_deleted", target=label[:300])
    db.session.commit()
    after_lexicon_change(before)
    flash(f"Đã xóa “{label}”.", "info")
    return redirect(url_for("newsroom.lexicon"))


@bp.get("/tu-dien/tu-dien.tsv")
@requires(WRITE)
def export_lexicon():
    """Every entry as a TSV file, the format `flask lexicon import` and the import form read."""
    response = make_response(export_tsv())
    response.mimetype = "text/tab-separated-values"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="tu-dien-doc.tsv"'
    return response


@bp.post("/tu-dien/nhap")
@requires(WRITE)
def import_lexicon():
    """Add or change the entries of an uploaded TSV file (a malformed line is skipped)."""
    form = LexiconImportForm()
    upload = request.files.get(form.file.name)
    if not form.validate() or upload is None or not upload.filename:
        flash("Xin chọn một tệp TSV để nhập.", "warning")
        return redirect(url_for("newsroom.lexicon"))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        flash("Tệp không phải văn bản UTF-8: chưa nhập gì.", "warning")
        return redirect(url_for("newsroom.lexicon"))
    before = _before()
    report = import_tsv(text, upload.filename[:60], current_user)
    detail = f"thêm {report.added}, sửa {report.changed}, giữ nguyên {report.unchanged}"
    record("lexicon_imported", target=upload.filename[:300], detail=detail)
    db.session.commit()
    after_lexicon_change(before)
    flash(f"Đã nhập {upload.filename}: {detail}.", "info")
    return redirect(url_for("newsroom.lexicon"))


def _sample_text() -> str:
    """The spoken form to hear: a sentence under the lexicon in force (cau=), or an entry (saved or not yet:
    viet=&doc=&loai=&sau=&truoc=, a link's query or the entry form posted by its Nghe thử button) inside a short
    sentence, under the lexicon with that entry."""
    values = request.form if request.method == "POST" else request.args
    table = site_services().speech.lexicon.table()
    sentence = " ".join(values.get("cau", "").split())
    if sentence:
        return spoken_form(sentence[:SAMPLE_MAX_CHARACTERS], table)
    try:
        entry = check_entry(*(values.get(name, "") for name in ("viet", "doc", "loai", "sau", "truoc")))
    except ValueError:
        abort(_sample_refused())
    editors = [line for line in editor_entries(db.session.connection())
               if (line.key, line.kind, line.context) != (entry.key, entry.kind, entry.context)]
    return spoken_form(sample_sentence(entry)[:SAMPLE_MAX_CHARACTERS], lexicon_with([*editors, entry]))


@bp.route("/tu-dien/nghe-thu.mp3", methods=["GET", "POST"])
@requires(WRITE)
def hear_sample():
    """Nghe thử: a short sentence as MP3, through the site's narrator and its audio cache (made by the job queue,
    as an article's sentence is); until it is made, "đang chuẩn bị"."""
    text = _sample_text()
    if not is_speakable(text):
        abort(404)
    speech = site_services().speech
    if (cached := speech.narrator.cached_segment(text)) is None:
        if request.method == "HEAD":
            return _sample_preparing(head=True)
        if (refused := generation.refusal_to_start(sample_job(text))) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _sample_preparing()
        try:
            keys = {speech.narrator.segment_key(engine, text): engine for engine in speech.narrator.engines}
            found = speech.narrator.cache.wait_for(list(keys), current_app.config["SEGMENT_WAIT_SECONDS"])
        except RememberedFailure:
            found = None
        finally:
            release()
        if found is None:
            if site_services().jobs.is_pending(sample_job(text).id):
                return _sample_preparing()
            return service_unavailable(60, "Chưa nghe thử được", "Máy chủ chưa tạo được âm thanh. Xin thử lại sau.")
        cached = speech.narrator.cached_segment(text)
    return send_cached_file(cached.path, mimetype="audio/mpeg", conditional=True, etag=cached.key,
                            download_name="nghe-thu.mp3")


def _sample_refused():
    return make_response(render_template(
        "newsroom/message.html", title="Chưa nghe thử được",
        message="Cần cả cách viết và cách đọc để nghe thử. Xin quay lại và điền đủ.",
    ), 400)


def _sample_preparing(head: bool = False):
    url = request.full_path.rstrip("?")
    return generation.preparing_response(title="Đang chuẩn bị âm thanh", message="Máy chủ đang đọc thử. Xin chờ vài giây.",
                                         file_url=url, status_url=url, head=head)


@bp.get("/bai-viet/<int:article_id>/cach-doc")
@requires(WRITE)
def check_pronunciation(article_id):
    """Kiểm tra cách đọc of one article, on a page of its own (the editor and the preview include the panel)."""
    article = staff_article(article_id)
    return render_template("newsroom/pronunciation.html", article=article, check=pronunciation_check(article))
