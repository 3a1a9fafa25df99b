"""Writing and publishing: the list of articles, the editor (new and existing), revisions, and the moves of
the workflow (gửi duyệt, đăng or hẹn giờ, gỡ, xóa, khôi phục)."""
from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.newsroom.base import STORAGE_AWAY, STORAGE_RETRY_AFTER, bp, forbidden, now, record, requires
from blueprints.newsroom.checking import pronunciation_check
from blueprints.newsroom.forms import ActionForm, ArticleForm, SelectChoice
from extensions import db
from models import Article, Category
from services.content.pagination import paginate_clamped, parse_page
from services.infra.jobs import QueueFull, QueueUnavailable
from web.site_services import site_services
from services.infra.storage import StorageUnavailable
from services.media.store import NotAnImage, media_url
from services.newsroom import workflow
from services.newsroom.accounts import ADMINISTER, PUBLISH, WRITE, may
from services.newsroom.body import images_without_alt, prepare_body
from services.newsroom.revisions import (
    KIND_NAMES,
    ArticleFields,
    compare,
    create_article,
    fields_of,
    get_revision,
    restore_revision,
    revisions_of,
    save_article,
    unchanged,
)
from services.newsroom.uploads import store_upload
from services.search.text import fold
from web.background import queue_generation
from web.htmx import render_page_or_fragment

SAVE, SUBMIT, PUBLISH_NOW = "luu", "gui-duyet", "dang"
FILTER_STATES = ("draft", "pending", "scheduled", "published", "unpublished")


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _categories() -> list[Category]:
    return list(db.session.execute(select(Category).order_by(Category.position, Category.name)).scalars())


def staff_article(article_id: int) -> Article:
    """An article the newsroom may open: any state; a deleted one for administrators only (to restore it)."""
    article = db.session.get(Article, article_id)
    if article is None or (article.deleted_at is not None and not may(current_user, ADMINISTER)):
        abort(404)
    return article


@bp.get("/")
def articles():
    """The articles, newest change first, filtered by state, category and words of the title; paged with htmx."""
    state = request.args.get("trang_thai", "")
    category = request.args.get("chuyen_muc", "", type=str)
    words = " ".join(request.args.get("q", "").split())[:200]
    statement = select(Article).options(selectinload(Article.category)).order_by(Article.updated_at.desc(), Article.id.desc())
    if state == workflow.DELETED and may(current_user, ADMINISTER):
        statement = workflow.in_state(statement, workflow.DELETED, now())
    else:
        if state not in FILTER_STATES:
            state = ""
        statement = workflow.in_state(statement, state, now())
    if category.isdigit():
        statement = statement.where(Article.category_id == int(category))
    # Without regard to case or diacritics, on both engines: docbai_search_fold is the search index's own fold.
    for word in fold(words).split():
        statement = statement.where(func.docbai_search_fold(Article.title).contains(word, autoescape=True))
    pagination = paginate_clamped(statement, parse_page(request.args.get("trang")),
                                  current_app.config["NEWSROOM_ARTICLES_PER_PAGE"])
    list_args = {key: value for key, value in (("trang_thai", state), ("chuyen_muc", category), ("q", words)) if value}
    return render_page_or_fragment(
        "newsroom/articles.html", "newsroom/_article_list.html",
        pagination=pagination, list_endpoint="newsroom.articles", list_args=list_args,
        state=state, category=category, words=words, categories=_categories(), moment=now(),
        state_of=workflow.state_of,
    )


def _form_for(article: Article | None) -> ArticleForm:
    form = ArticleForm()
    form.category_id.choices = [SelectChoice(0, "— Chọn chuyên mục —")] + [SelectChoice(c.id, c.name) for c in _categories()]
    if request.method == "GET":
        if article is None:
            form.author.data = current_user.display_name
            form.edit_version.data = 0
        else:
            form.title.data = article.title
            form.summary.data = article.summary
            form.category_id.data = article.category_id or 0
            form.author.data = article.author
            form.body_html.data = article.body_html
            form.edit_version.data = article.edit_version
            if article.first_published_at is not None or article.published_at > now():
                form.published_at.data = article.published_at.astimezone(_zone()).replace(tzinfo=None)
    return form


def _fields(form: ArticleForm) -> ArticleFields:
    media_root = current_app.config["MEDIA_ROOT"]
    body = form.body_html.data or ""
    upload = request.files.get(form.new_image.name)
    if upload is not None and upload.filename:
        stored = store_upload(media_root, upload.read(), site_services().media)  # NotAnImage: the caller says so
        alt = html.escape(" ".join((form.new_image_alt.data or "").split()), quote=True)
        caption = html.escape(" ".join((form.new_image_caption.data or "").split()))
        body += (f'<figure><img src="{media_url(stored.path)}" alt="{alt}" width="{stored.width}" '
                 f'height="{stored.height}">' + (f"<figcaption>{caption}</figcaption>" if caption else "") + "</figure>")
        record("image_uploaded", target=stored.path)
    published_at = None
    if form.published_at.data is not None:
        published_at = form.published_at.data.replace(tzinfo=_zone()).astimezone(dt.timezone.utc)
    category_id = form.category_id.data or None
    if category_id is not None and db.session.get(Category, category_id) is None:
        category_id = None
    return ArticleFields(
        title=" ".join(form.title.data.split()),
        summary=(form.summary.data or "").strip(),
        body_html=prepare_body(body, media_root),
        author=" ".join((form.author.data or "").split()),
        category_id=category_id,
        published_at=published_at,
    )


def _render_editor(form: ArticleForm, article: Article | None, status: int = 200, conflict=None, problem=None):
    context = {
        "form": form, "article": article, "conflict": conflict, "problem": problem, "moment": now(),
        "state": workflow.state_of(article, now()) if article is not None else workflow.DRAFT,
        "missing_alt": images_without_alt(article.body_html) if article is not None else [],
        "action_form": ActionForm(), "may_edit": article is None or workflow.may_edit(current_user, article, now()),
        "may_delete": article is not None and workflow.may_delete(current_user, article),
        "check": pronunciation_check(article) if article is not None else None,
    }
    return render_template("newsroom/editor.html", **context), status


@bp.route("/bai-viet/moi", methods=["GET", "POST"])
@requires(WRITE)
def new_article():
    """A new article: the editor, empty; saving makes a draft (its first revision)."""
    form = _form_for(None)
    if request.method == "POST":
        return _save(form, None)
    return _render_editor(form, None)


@bp.route("/bai-viet/<int:article_id>", methods=["GET", "POST"])
def edit_article(article_id):
    """The editor of one article; saving makes a revision, and may also submit or publish it."""
    article = staff_article(article_id)
    form = _form_for(article)
    if request.method == "POST":
        if not workflow.may_edit(current_user, article, now()):
            return forbidden("Bài đã đăng hoặc đã hẹn giờ: chỉ người duyệt bài hoặc quản trị mới sửa được.")
        return _save(form, article)
    return _render_editor(form, article)


def _save(form: ArticleForm, article: Article | None):
    action = request.form.get("hanh_dong", SAVE)
    if action == PUBLISH_NOW and not may(current_user, PUBLISH):
        return forbidden("Chỉ người duyệt bài hoặc quản trị mới được đăng bài. Hãy bấm “Gửi duyệt”.")
    if not form.validate():
        return _render_editor(form, article, 400)
    try:
        fields = _fields(form)
    except NotAnImage as error:
        return _render_editor(form, article, 400, problem=f"Không thêm được ảnh: {error}")
    except StorageUnavailable:
        # The bucket is away: the editor's text comes back in the form rather than on an error page.
        response = make_response(*_render_editor(form, article, 503, problem=STORAGE_AWAY))
        response.headers["Retry-After"] = str(STORAGE_RETRY_AFTER)
        return response
    moment = now()
    if article is None:
        result = create_article(fields, current_user, moment)
        record("article_created", target=_target(result.article))
    elif unchanged(article, fields) and action == SAVE:
        flash("Không có gì thay đổi so với bản đã lưu.", "info")
        return redirect(url_for("newsroom.edit_article", article_id=article.id))
    else:
        result = save_article(article, fields, form.edit_version.data, current_user, moment)
        if result.conflict:
            record("article_conflict", target=_target(article), detail=f"phiên bản {result.revision.number}")
            db.session.commit()
            return _conflict(form, result)
        record("article_edited", target=_target(article), detail=f"phiên bản {result.revision.number}")
    article = result.article
    problem = None
    try:
        if action == SUBMIT and article.status == workflow.DRAFT:
            workflow.submit(article, current_user)
            record("article_submitted", target=_target(article))
        elif action == PUBLISH_NOW:
            outcome = workflow.publish(article, current_user, moment)
            record("article_scheduled" if outcome == workflow.SCHEDULED else "article_published", target=_target(article),
                   detail=_when(article))
    except workflow.NotAllowed as refusal:
        problem = str(refusal)
    db.session.commit()
    _regenerate(article)
    if problem:
        flash(f"Đã lưu phiên bản mới, nhưng chưa đăng. {problem}", "warning")
    else:
        flash(_saved_message(article, action), "info")
    return redirect(url_for("newsroom.edit_article", article_id=article.id))


def _conflict(form: ArticleForm, result):
    """Someone saved meanwhile: the editor again with this person's text, what differs from the saved article,
    and the current version number, so saving again is a choice made knowing both."""
    article = result.article
    changes, lines = compare(fields_of(article), fields_of(result.revision), _zone())
    form.edit_version.data = article.edit_version
    form.edit_version.raw_data = [str(article.edit_version)]  # the field shows what was sent, else
    conflict = {"revision": result.revision, "changes": changes, "lines": lines}
    return _render_editor(form, article, 409, conflict=conflict)


def _saved_message(article: Article, action: str) -> str:
    state = workflow.state_of(article, now())
    if action == PUBLISH_NOW and state == workflow.SCHEDULED:
        return f"Đã lưu và hẹn giờ đăng lúc {_when(article)}."
    if action == PUBLISH_NOW:
        return "Đã lưu và đăng bài. Bạn đọc thấy bài ngay."
    if action == SUBMIT:
        return "Đã lưu và gửi duyệt."
    return "Đã lưu." + (" Bạn đọc thấy thay đổi ngay." if state == workflow.PUBLISHED else "")


def _when(article: Article) -> str:
    return article.published_at.astimezone(_zone()).strftime("%H:%M ngày %d/%m/%Y")


def _target(article: Article) -> str:
    return f"bài #{article.id}: {article.title}"[:300]


def _regenerate(article: Article) -> None:
    """Audio and PDF made again off the request path for what readers see or will see by themselves."""
    if article.status != workflow.PUBLISHED or article.deleted_at is not None:
        return
    try:
        queue_generation([article], staff=True)
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Audio and PDF of article %s not queued: %s", article.id, error)


def _move(article_id: int, move):
    """One workflow button: run the move, log it, commit, and back to the editor with what happened."""
    article = staff_article(article_id)
    try:
        message = move(article)
    except workflow.NotPermitted as refusal:
        return forbidden(str(refusal))
    except workflow.NotAllowed as refusal:
        flash(str(refusal), "warning")
        return redirect(url_for("newsroom.edit_article", article_id=article.id))
    db.session.commit()
    _regenerate(article)
    flash(message, "info")
    if article.deleted_at is not None and not may(current_user, ADMINISTER):
        return redirect(url_for("newsroom.articles"))
    return redirect(url_for("newsroom.edit_article", article_id=article.id))


@bp.post("/bai-viet/<int:article_id>/gui-duyet")
@requires(WRITE)
def submit_article(article_id):
    """Nháp → chờ duyệt."""
    def move(article):
        workflow.submit(article, current_user)
        record("article_submitted", target=_target(article))
        return "Đã gửi duyệt."
    return _move(article_id, move)


@bp.post("/bai-viet/<int:article_id>/dang")
@requires(PUBLISH)
def publish_article(article_id):
    """Publish now, or at the article's time if it is ahead (hẹn giờ)."""
    def move(article):
        outcome = workflow.publish(article, current_user, now())
        scheduled = outcome == workflow.SCHEDULED
        record("article_scheduled" if scheduled else "article_published", target=_target(article), detail=_when(article))
        return f"Đã hẹn giờ đăng lúc {_when(article)}." if scheduled else "Đã đăng bài."
    return _move(article_id, move)


@bp.post("/bai-viet/<int:article_id>/go")
@requires(PUBLISH)
def unpublish_article(article_id):
    """Gỡ bài: hidden from readers everywhere at once (its URL then answers 410)."""
    def move(article):
        outcome = workflow.unpublish(article, current_user, now())
        record("article_unpublished", target=_target(article), detail="hủy hẹn giờ" if outcome == workflow.DRAFT else "")
        if outcome == workflow.DRAFT:
            return "Đã hủy hẹn giờ: bài trở về nháp."
        return "Đã gỡ bài: bạn đọc không còn thấy bài ở bất cứ đâu."
    return _move(article_id, move)


@bp.post("/bai-viet/<int:article_id>/xoa")
@requires(WRITE)
def delete_article(article_id):
    """The soft delete; an administrator can undo it."""
    def move(article):
        workflow.delete(article, current_user, now())
        record("article_deleted", target=_target(article))
        return "Đã xóa bài. Quản trị có thể khôi phục nếu cần."
    return _move(article_id, move)


@bp.post("/bai-viet/<int:article_id>/khoi-phuc")
@requires(ADMINISTER)
def undelete_article(article_id):
    """Undo a delete: the article is back in the state it had."""
    def move(article):
        workflow.undelete(article, current_user)
        record("article_undeleted", target=_target(article))
        return "Đã khôi phục bài."
    return _move(article_id, move)


@bp.get("/bai-viet/<int:article_id>/phien-ban")
def revisions(article_id):
    """Every revision of the article: who saved it, when, of what kind."""
    article = staff_article(article_id)
    return render_template("newsroom/revisions.html", article=article, revisions=revisions_of(article.id),
                           kinds=KIND_NAMES, zone=_zone())


@bp.get("/bai-viet/<int:article_id>/phien-ban/<int:number>")
def revision(article_id, number):
    """One revision and what changed from another (the one before it, or ?so_voi=N)."""
    article = staff_article(article_id)
    shown = get_revision(article.id, number)
    if shown is None:
        abort(404)
    other_number = request.args.get("so_voi", type=int)
    other = get_revision(article.id, other_number) if other_number else get_revision(article.id, number - 1)
    changes, lines = compare(fields_of(other), fields_of(shown), _zone()) if other else ([], [])
    return render_template("newsroom/revision.html", article=article, revision=shown, other=other, changes=changes,
                           lines=lines, kinds=KIND_NAMES, zone=_zone(), all_revisions=revisions_of(article.id),
                           action_form=ActionForm(), may_edit=workflow.may_edit(current_user, article, now()))


@bp.post("/bai-viet/<int:article_id>/phien-ban/<int:number>/khoi-phuc")
def restore(article_id, number):
    """Put this revision's text back, as a new revision; the ones in between stay."""
    article = staff_article(article_id)
    if not workflow.may_edit(current_user, article, now()):
        return forbidden("Bài đã đăng hoặc đã hẹn giờ: chỉ người duyệt bài hoặc quản trị mới sửa được.")
    shown = get_revision(article.id, number)
    if shown is None:
        abort(404)
    expected = request.form.get("edit_version", type=int)
    result = restore_revision(article, shown, expected if expected is not None else -1, current_user, now())
    if result.conflict:
        db.session.rollback()
        flash("Bài vừa được người khác lưu. Xem lại bản mới nhất trước khi khôi phục.", "warning")
        return redirect(url_for("newsroom.revisions", article_id=article.id))
    record("article_restored_revision", target=_target(article), detail=f"từ phiên bản {number}")
    db.session.commit()
    _regenerate(article)
    flash(f"Đã khôi phục nội dung của phiên bản {number} (lưu thành phiên bản {result.revision.number}).", "info")
    return redirect(url_for("newsroom.edit_article", article_id=article.id))
