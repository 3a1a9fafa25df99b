"""Writing and publishing in the newsroom: drafts and revisions, two editors at once, scheduling, unpublishing
(gone everywhere at once, 410 at its URL), the soft delete, and the guarantees every content change keeps
(page cache and content version, audio and PDF queued off the request path, views never lost)."""
import datetime as dt
import re

import feedparser
import pytest
from sqlalchemy import select, update

from extensions import db
from models import Article, ArticleRevision, AuditEvent, Category, Figure
from newsroom_support import app, article_form, create_article, db_app, logged_in, post  # noqa: F401
from services.newsroom.accounts import ADMINISTRATOR, EDITOR, PUBLISHER
from support import silent_mp3, use_voice

SLUG = "thong-bao-lich-tiep-cong-dan-thang-12"


class QuietVoice:
    name = "quiet"
    voice = "test"

    def synthesize(self, text):
        return silent_mp3(0.3)


@pytest.fixture
def publisher(db_app):
    return logged_in(db_app, "duyetbai", PUBLISHER)


@pytest.fixture
def queued(monkeypatch):
    """The articles whose audio and PDF the newsroom queued, instead of making them."""
    calls = []
    monkeypatch.setattr("blueprints.newsroom.articles.queue_generation",
                        lambda articles, **options: calls.append(([a.id for a in articles], options)) or (0, 0))
    return calls


def _article(app, article_id):
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def _actions(app):
    with app.app_context():
        return [(event.action, event.username) for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def test_a_draft_is_saved_sanitized_with_a_revision_and_readers_never_see_it(db_app, publisher, queued):
    body = '<p onclick="steal()">Nội dung <script>alert(1)</script><a href="javascript:alert(2)">xem</a></p><h1>Mục</h1>'
    article_id = create_article(publisher, body_html=body)
    article = _article(db_app, article_id)
    assert (article.status, article.slug, article.edit_version) == ("draft", SLUG, 1)
    assert "script" not in article.body_html and "onclick" not in article.body_html and "javascript" not in article.body_html
    assert "<h2>Mục</h2>" in article.body_html
    with db_app.app_context():
        (revision,) = db.session.execute(select(ArticleRevision)).scalars().all()
        assert (revision.number, revision.kind, revision.user.username) == (1, "saved", "duyetbai")
    anonymous = db_app.test_client()
    assert anonymous.get(f"/bai-viet/{SLUG}").status_code == 404
    assert SLUG not in anonymous.get("/").get_data(as_text=True)
    assert queued == []  # nothing for readers yet: no audio or PDF made
    assert _actions(db_app)[-1] == ("article_created", "duyetbai")


def test_each_save_is_a_revision_and_an_older_one_can_be_compared_and_restored(db_app, publisher):
    article_id = create_article(publisher)
    url = f"/bien-tap/bai-viet/{article_id}"
    post(publisher, url, article_form(body_html="<p>Ủy ban nhân dân huyện thông báo lịch họp.</p>", edit_version="1"))
    post(publisher, url, article_form(title="Thông báo mới", body_html="<p>Lịch đã đổi.</p>", edit_version="2"))
    assert _article(db_app, article_id).edit_version == 3
    comparison = publisher.get(f"{url}/phien-ban/3?so_voi=1").get_data(as_text=True)
    assert "<del>Ủy ban nhân dân huyện thông báo lịch tiếp công dân.</del>" in comparison or "<del>" in comparison
    assert "Thông báo mới" in comparison and "<ins>" in comparison
    history = publisher.get(f"{url}/phien-ban").get_data(as_text=True)
    assert history.count("Phiên bản ") >= 3
    restored = post(publisher, f"{url}/phien-ban/1/khoi-phuc", {"edit_version": "3"})
    assert restored.status_code == 302
    article = _article(db_app, article_id)
    assert article.title == "Thông báo lịch tiếp công dân tháng 12" and article.edit_version == 4
    assert "tiếp công dân" in article.body_html
    with db_app.app_context():
        kinds = db.session.execute(select(ArticleRevision.kind).order_by(ArticleRevision.number)).scalars().all()
    assert kinds == ["saved", "saved", "saved", "restored"]


def test_saving_nothing_new_makes_no_revision(db_app, publisher):
    article_id = create_article(publisher)
    response = post(publisher, f"/bien-tap/bai-viet/{article_id}", article_form(edit_version="1"))
    assert response.status_code == 302
    assert _article(db_app, article_id).edit_version == 1


def test_two_editors_saving_at_once_lose_nothing_and_the_second_is_told(db_app, publisher):
    article_id = create_article(publisher)
    other = logged_in(db_app, "bientap", EDITOR)
    url = f"/bien-tap/bai-viet/{article_id}"
    # Both opened the article at version 1.
    first = post(publisher, url, article_form(body_html="<p>Bản của người duyệt.</p>", edit_version="1"))
    assert first.status_code == 302
    second = post(other, url, article_form(body_html="<p>Bản của biên tập viên.</p>", edit_version="1"))
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Có người vừa lưu bài này trước bạn" in page
    assert "Bản của biên tập viên." in page  # their text, back in the form
    assert "<del>người duyệt.</del> <ins>biên tập viên.</ins>" in page  # and what differs from the saved text
    assert re.search(r'name="edit_version"[^>]*value="2"', page)  # saving again is a choice made knowing
    article = _article(db_app, article_id)
    assert article.body_html == "<p>Bản của người duyệt.</p>" and article.edit_version == 2
    with db_app.app_context():
        kept = db.session.execute(select(ArticleRevision).where(ArticleRevision.kind == "conflict")).scalar_one()
        assert kept.body_html == "<p>Bản của biên tập viên.</p>" and kept.user.username == "bientap"
    # Saving again, knowing, replaces it.
    again = post(other, url, article_form(body_html="<p>Bản của biên tập viên.</p>", edit_version="2"))
    assert again.status_code == 302
    assert _article(db_app, article_id).body_html == "<p>Bản của biên tập viên.</p>"
    assert ("article_conflict", "bientap") in _actions(db_app)


def test_at_once_means_at_once(db_app, publisher, at_once):
    """Two saves from the same version in two threads: exactly one wins, the other is kept as a conflict."""
    article_id = create_article(publisher)
    other = logged_in(db_app, "bientap", EDITOR)
    clients = iter([publisher, other])
    import threading
    lock = threading.Lock()

    def save():
        with lock:
            client = next(clients)
        return post(client, f"/bien-tap/bai-viet/{article_id}", article_form(body_html=f"<p>Bản {id(client)}.</p>",
                                                                              edit_version="1")).status_code

    assert sorted(at_once(2, save)) == [302, 409]
    with db_app.app_context():
        kinds = sorted(db.session.execute(select(ArticleRevision.kind)).scalars().all())
    assert kinds == ["conflict", "saved", "saved"]


def test_publishing_needs_alt_text_on_every_image_and_says_which_lacks_it(db_app, publisher, tmp_path):
    from PIL import Image
    import io
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(data, "JPEG")
    upload = publisher.post("/bien-tap/anh", data={"anh": (io.BytesIO(data.getvalue()), "ruong.jpg")},
                            headers={"X-CSRFToken": __import__("newsroom_support").token(publisher, "/bien-tap/")})
    src = upload.get_json()["src"]
    body = (f'<p>Ảnh.</p><figure><img src="{src}" alt=""><figcaption>Ruộng bậc thang.</figcaption></figure>')
    article_id = create_article(publisher, body_html=body)
    name = src.rsplit("/", 1)[-1]
    response = post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    page = publisher.get(response.headers["Location"]).get_data(as_text=True)
    assert f"ảnh 1 ({name}) chưa có mô tả ảnh (alt)" in page
    assert _article(db_app, article_id).status == "draft"
    body = body.replace('alt=""', 'alt="Ruộng bậc thang mùa lúa chín"')
    post(publisher, f"/bien-tap/bai-viet/{article_id}", article_form(body_html=body, edit_version="1", hanh_dong="dang"))
    article = _article(db_app, article_id)
    assert article.status == "published"
    with db_app.app_context():
        (figure,) = db.session.execute(select(Figure)).scalars().all()
        assert (figure.alt, figure.caption, figure.width, figure.height) == ("Ruộng bậc thang mùa lúa chín", "Ruộng bậc thang.", 40, 30)
    assert 'alt="Ruộng bậc thang mùa lúa chín"' in db_app.test_client().get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_publishing_shows_it_everywhere_and_queues_its_audio_and_pdf(db_app, publisher, queued):
    version = db_app.extensions["docbai"].content_version
    with db_app.app_context():
        before = version.current()
    article_id = create_article(publisher)
    assert post(publisher, f"/bien-tap/bai-viet/{article_id}/dang").status_code == 302
    with db_app.app_context():
        assert version.current() != before
    article = _article(db_app, article_id)
    assert article.status == "published" and article.first_published_at == article.published_at
    assert queued == [([article_id], {"staff": True})]
    reader = db_app.test_client()
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 200
    assert SLUG in reader.get("/").get_data(as_text=True)
    assert any(entry.link.endswith(SLUG) for entry in feedparser.parse(reader.get("/rss.xml").data).entries)
    assert SLUG in reader.get("/sitemap.xml").get_data(as_text=True)
    assert SLUG in reader.get("/tim-kiem?q=tiep+cong+dan").get_data(as_text=True)
    assert _actions(db_app)[-1] == ("article_published", "duyetbai")


def _local(moment):
    return moment.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%dT%H:%M")


def test_a_future_time_schedules_the_article_and_it_appears_by_itself_at_that_time(db_app, publisher, queued, monkeypatch):
    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    article_id = create_article(publisher, published_at=_local(when))
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    article = _article(db_app, article_id)
    assert (article.status, article.published_at) == ("published", when)
    assert "Hẹn giờ" in publisher.get(f"/bien-tap/bai-viet/{article_id}").get_data(as_text=True)
    assert queued == [([article_id], {"staff": True})]  # made ahead of its time
    reader = db_app.test_client()
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 404
    assert SLUG not in reader.get("/sitemap.xml").get_data(as_text=True)
    assert SLUG not in reader.get("/rss.xml").get_data(as_text=True)
    # Three hours later (a fake clock for the one gate every reader's query goes through), with no commit since.
    later = when + dt.timedelta(minutes=1)
    monkeypatch.setattr("services.content.articles.utc_now", lambda: later)
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 200
    assert SLUG in reader.get("/sitemap.xml").get_data(as_text=True)
    assert any(entry.link.endswith(SLUG) for entry in feedparser.parse(reader.get("/rss.xml").data).entries)
    assert SLUG in reader.get("/tim-kiem?q=tiep+cong+dan").get_data(as_text=True)


def test_unscheduling_an_article_returns_it_to_draft_and_its_url_stays_a_404(db_app, publisher):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    article_id = create_article(publisher, published_at=_local(when))
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    post(publisher, f"/bien-tap/bai-viet/{article_id}/go")
    article = _article(db_app, article_id)
    assert (article.status, article.first_published_at) == ("draft", None)
    assert db_app.test_client().get(f"/bai-viet/{SLUG}").status_code == 404


def test_unpublishing_hides_it_everywhere_at_once_and_its_url_answers_410(db_app, publisher):
    use_voice(db_app, QuietVoice())
    article_id = create_article(publisher)
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    reader = db_app.test_client()
    with db_app.app_context():
        db_app.extensions["docbai"].speech.prewarm([db.session.get(Article, article_id)])
    # Readers have it, and the page cache holds its pages.
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 200
    assert SLUG in reader.get("/").get_data(as_text=True)
    assert any(entry.link.endswith(SLUG) for entry in feedparser.parse(reader.get("/podcast.xml").data).entries)
    assert post(publisher, f"/bien-tap/bai-viet/{article_id}/go").status_code == 302
    gone = reader.get(f"/bai-viet/{SLUG}")
    assert gone.status_code == 410 and "Bài viết đã được gỡ" in gone.get_data(as_text=True)
    for path in (f"/bai-viet/{SLUG}/nghe.mp3", f"/bai-viet/{SLUG}/nghe.json", f"/bai-viet/{SLUG}/in.pdf",
                 f"/bai-viet/{SLUG}/nghe/0.mp3"):
        assert reader.get(path).status_code == 410, path
    assert reader.get(f"/bai-viet/{SLUG}/xem.gif").status_code == 404
    assert SLUG not in reader.get("/").get_data(as_text=True)
    assert SLUG not in reader.get("/rss.xml").get_data(as_text=True)
    assert SLUG not in reader.get("/podcast.xml").get_data(as_text=True)
    assert SLUG not in reader.get("/sitemap.xml").get_data(as_text=True)
    assert SLUG not in reader.get("/tim-kiem?q=tiep+cong+dan").get_data(as_text=True)
    assert _actions(db_app)[-1] == ("article_unpublished", "duyetbai")
    # Published again: back, with its views and the same address.
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 200


def test_deleting_is_soft_and_an_administrator_undoes_it(db_app, publisher):
    article_id = create_article(publisher)
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    assert post(publisher, f"/bien-tap/bai-viet/{article_id}/xoa").status_code == 302
    reader = db_app.test_client()
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 404
    assert SLUG not in reader.get("/").get_data(as_text=True)
    assert publisher.get(f"/bien-tap/bai-viet/{article_id}").status_code == 404  # out of the newsroom's lists
    assert SLUG not in publisher.get("/bien-tap/").get_data(as_text=True)
    admin = logged_in(db_app, "quantri", ADMINISTRATOR)
    assert "Thông báo lịch" in admin.get("/bien-tap/?trang_thai=deleted").get_data(as_text=True)
    assert post(admin, f"/bien-tap/bai-viet/{article_id}/khoi-phuc").status_code == 302
    assert reader.get(f"/bai-viet/{SLUG}").status_code == 200
    assert [action for action, _ in _actions(db_app)][-2:] == ["login", "article_undeleted"]


def test_an_editor_deletes_a_draft_but_not_what_was_published(db_app, publisher):
    editor = logged_in(db_app, "bientap", EDITOR)
    draft = create_article(editor, title="Bản nháp bỏ đi")
    assert post(editor, f"/bien-tap/bai-viet/{draft}/xoa").status_code == 302
    assert _article(db_app, draft).deleted_at is not None


def test_editing_a_published_article_keeps_its_views_and_address_and_queues_new_audio(db_app, publisher, queued):
    article_id = create_article(publisher)
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    with db_app.app_context():
        db.session.execute(update(Article).where(Article.id == article_id).values(views=1234))
        db.session.commit()
    response = post(publisher, f"/bien-tap/bai-viet/{article_id}",
                    article_form(title="Tiêu đề đã sửa lúc 22 giờ", body_html="<p>Sửa lỗi chính tả.</p>", edit_version="1"))
    assert response.status_code == 302
    article = _article(db_app, article_id)
    assert (article.views, article.slug, article.title) == (1234, SLUG, "Tiêu đề đã sửa lúc 22 giờ")
    assert queued[-1] == ([article_id], {"staff": True})
    page = db_app.test_client().get(f"/bai-viet/{SLUG}").get_data(as_text=True)
    assert "Sửa lỗi chính tả." in page and "1.234 lượt xem" in page


def test_a_drafts_address_follows_its_title_until_published(db_app, publisher):
    article_id = create_article(publisher)
    post(publisher, f"/bien-tap/bai-viet/{article_id}", article_form(title="Lịch họp mới", edit_version="1"))
    assert _article(db_app, article_id).slug == "lich-hop-moi"
    create_article(publisher, title="Lịch họp mới")
    with db_app.app_context():
        assert sorted(db.session.execute(select(Article.slug)).scalars().all()) == ["lich-hop-moi", "lich-hop-moi-2"]


def test_the_list_filters_by_state_category_and_words_without_diacritics(db_app, publisher):
    with db_app.app_context():
        db.session.add(Category(name="Thông báo", slug="thong-bao"))
        db.session.commit()
        category_id = db.session.execute(select(Category.id)).scalar_one()
    first = create_article(publisher, title="Họp bàn kế hoạch năm", category_id=str(category_id))
    create_article(publisher, title="Tiếp công dân tháng Giêng")
    post(publisher, f"/bien-tap/bai-viet/{first}/dang")
    shown = lambda query: publisher.get("/bien-tap/" + query).get_data(as_text=True)  # noqa: E731
    assert "Họp bàn" in shown("?trang_thai=published") and "Tiếp công dân" not in shown("?trang_thai=published")
    assert "Tiếp công dân" in shown("?trang_thai=draft") and "Họp bàn" not in shown("?trang_thai=draft")
    assert "Họp bàn" in shown(f"?chuyen_muc={category_id}") and "Tiếp công dân" not in shown(f"?chuyen_muc={category_id}")
    assert "Tiếp công dân" in shown("?q=TIEP+cong") and "Họp bàn" not in shown("?q=tiep+cong")
    assert "Không có bài nào khớp với bộ lọc" in shown("?q=khong+co+dau")


def test_the_list_pages_with_htmx_like_the_public_lists(db_app, publisher):
    for number in range(22):
        create_article(publisher, title=f"Bài số {number}")
    page = publisher.get("/bien-tap/?trang=2")
    fragment = publisher.get("/bien-tap/?trang=2", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert 'id="danh-sach-bai"' in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    assert 'data-hx-get="/bien-tap/?trang=1"' in page.get_data(as_text=True) or 'href="/bien-tap/"' in page.get_data(as_text=True)


def test_a_picture_added_without_javascript_goes_to_the_end_of_the_body(db_app, publisher):
    import io
    from PIL import Image
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(data, "PNG")
    response = post(publisher, "/bien-tap/bai-viet/moi", {
        **article_form(), "new_image": (io.BytesIO(data.getvalue()), "anh.png"),
        "new_image_alt": "Bản đồ xã", "new_image_caption": "Bản đồ hành chính xã.",
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    with db_app.app_context():
        article = db.session.execute(select(Article)).scalar_one()
        assert article.body_html.endswith('alt="Bản đồ xã" width="64" height="48"><figcaption>Bản đồ hành chính xã.</figcaption></figure>')
        assert [figure.alt for figure in article.figures] == ["Bản đồ xã"]
