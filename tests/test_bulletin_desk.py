"""The newsroom's bulletin desk (/bien-tap/ban-tin/): who may open and change it, the CSRF token on every change,
each button changing the day's draft and writing its audit line, Nghe thử answering MP3 that no cache keeps,
publishing putting the bulletin on /ban-tin/, the htmx fragment and the whole page, bad days."""
import datetime as dt

import pytest
from sqlalchemy import select

from extensions import db
from models import Article, AuditEvent
from newsroom_support import app, db_app, logged_in, post, token  # noqa: F401
from services.bulletin.composition import EDITOR as COMPOSED_BY_EDITOR
from services.bulletin.composition import PUBLISHED, RULE
from services.bulletin.script import LEAD, SUMMARY, WHOLE
from services.newsroom.accounts import ADMINISTRATOR, EDITOR, PUBLISHER
from web.bulletins import bulletin_desk

DAY = dt.date(2026, 12, 7)  # its bulletin is made at 17:00 there, 10:00 UTC
DESK = "/bien-tap/ban-tin/2026-12-07"


def _article(number, hours_before_time):
    published = dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc) - dt.timedelta(hours=hours_before_time)
    paragraph = "Bà con thôn Nà Lừa làm đường bê tông. Đường dài ba cây số."
    return dict(slug=f"tin-{number}", title=f"Tin số {number} của huyện", summary="Tóm tắt ngắn của tin.",
                published_at=published, body_html="".join(f"<p>{paragraph}</p>" for _ in range(3)))


@pytest.fixture
def articles(make_article):
    """Four articles in the window of 7/12 (tin-0 newest), one the day before (not a candidate)."""
    made = [make_article(**_article(number, number + 1)) for number in range(4)]
    make_article(**_article(9, 30))
    return made


def _bulletin(app):
    with app.app_context():
        bulletin = bulletin_desk().bulletin(DAY)
        if bulletin is None:
            return None
        return {"status": bulletin.status, "composed_by": bulletin.composed_by, "opening": bulletin.opening,
                "items": [(item.article.slug, item.reading, item.pinned) for item in bulletin.items],
                "ids": [item.id for item in bulletin.items]}


def _audit_actions(app):
    with app.app_context():
        return [event.action for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
                if event.action.startswith("bulletin_")]


def _article_id(app, slug):
    with app.app_context():
        return db.session.execute(select(Article.id).where(Article.slug == slug)).scalar_one()


def _started(app, role=EDITOR, username="bientap"):
    client = logged_in(app, username, role)
    response = post(client, f"{DESK}/soan", {"cach": "quy-tac"})
    assert response.status_code == 303 and response.headers["Location"] == DESK
    return client


@pytest.mark.parametrize("method, path", [
    ("GET", "/bien-tap/ban-tin/"), ("GET", DESK), ("GET", f"{DESK}/nghe-thu.mp3"), ("POST", f"{DESK}/soan"),
    ("POST", f"{DESK}/xuat-ban"), ("POST", f"{DESK}/tin/1/bo"),
])
def test_an_anonymous_request_is_sent_to_the_login_page(app, method, path):
    response = app.test_client().open(path, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/bien-tap/dang-nhap")


def test_a_reader_of_the_site_never_reaches_the_desk_and_the_desk_is_never_stored(app, articles):
    reader = app.test_client()
    assert reader.get("/ban-tin/").status_code == 200  # the public page
    assert reader.get(DESK).headers["Location"].startswith("/bien-tap/dang-nhap")
    editor = _started(app)
    page = editor.get(DESK)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "Tin số 0 của huyện" in page.get_data(as_text=True)


def test_the_list_shows_the_days_and_the_menu_links_it(app, articles):
    editor = _started(app)
    listing = editor.get("/bien-tap/ban-tin/").get_data(as_text=True)
    assert 'href="/bien-tap/ban-tin/"' in editor.get("/bien-tap/").get_data(as_text=True)
    assert 'aria-current="page">Bản tin</a>' in listing
    assert "Bản tin truyền thanh" in listing and "Chưa soạn" in listing
    # Among the last fortnight's days or, later, the older bulletins below them: as a draft either way.
    assert 'href="/bien-tap/ban-tin/2026-12-07"' in listing and "Bản nháp" in listing


def test_the_desk_shows_items_readings_lengths_and_the_days_other_articles(app, articles):
    editor = logged_in(app, "bientap", EDITOR)
    empty = editor.get(DESK).get_data(as_text=True)
    assert "Chưa có bản tin ngày này" in empty and "Soạn theo quy tắc" in empty and _bulletin(app) is None
    editor = _started(app, username="bientap2")
    post(editor, f"{DESK}/tin/{_bulletin(app)['ids'][-1]}/bo")
    page = editor.get(DESK).get_data(as_text=True)
    for text in ("Tin số 0 của huyện", "Độ dài ước tính", "mục tiêu 10 phút 00 giây", "Cách đọc", "Cả bài (khoảng",
                 "Tóm tắt (khoảng", "Lên<span", "Xuống<span", "Ghim<span", "Nghe thử", "Lời mở đầu",
                 "Bài trong ngày chưa có trong bản tin", "Thêm vào bản tin<span class=\"visually-hidden\"> bài “Tin số 3"):
        assert text in page, text
    assert "Tin số 9" not in page  # published the day before: another day's bulletin
    assert "Xuất bản" not in page.split("Làm lại theo quy tắc")[0].split("Tình trạng")[1]  # an editor's screen
    assert '<audio controls preload="none" src="/bien-tap/ban-tin/2026-12-07/nghe-thu.mp3?v=' in page


def test_starting_from_scratch_gives_an_empty_bulletin_of_the_editor(app, articles):
    editor = logged_in(app, "bientap", EDITOR)
    assert post(editor, f"{DESK}/soan", {"cach": "tu-dau"}).status_code == 303
    assert _bulletin(app)["items"] == [] and _bulletin(app)["composed_by"] == COMPOSED_BY_EDITOR
    assert _audit_actions(app) == ["bulletin_drafted"]


def _add(app, bulletin):
    return f"{DESK}/them", {"bai": str(_article_id(app, "tin-3")), "cach_doc": SUMMARY}


ACTIONS = [
    # (what the editor does: app, bulletin -> (path, form), what the draft then is, the audit line)
    ("remove", lambda app, b: (f"{DESK}/tin/{b['ids'][1]}/bo", {}),
     lambda before, after: after["items"] == [before["items"][0]] + before["items"][2:], "bulletin_item_removed"),
    ("move up", lambda app, b: (f"{DESK}/tin/{b['ids'][2]}/chuyen", {"huong": "len"}),
     lambda before, after: [s for s, _, _ in after["items"]] == ["tin-0", "tin-2", "tin-1", "tin-3"],
     "bulletin_item_moved"),
    ("move down", lambda app, b: (f"{DESK}/tin/{b['ids'][0]}/chuyen", {"huong": "xuong"}),
     lambda before, after: [s for s, _, _ in after["items"]] == ["tin-1", "tin-0", "tin-2", "tin-3"],
     "bulletin_item_moved"),
    ("reading", lambda app, b: (f"{DESK}/tin/{b['ids'][0]}/cach-doc", {"cach_doc": SUMMARY}),
     lambda before, after: after["items"][0] == ("tin-0", SUMMARY, False), "bulletin_reading_changed"),
    ("pin", lambda app, b: (f"{DESK}/tin/{b['ids'][3]}/ghim", {"ghim": "1"}),
     lambda before, after: after["items"][3] == ("tin-3", before["items"][3][1], True), "bulletin_item_pinned"),
    ("opening", lambda app, b: (f"{DESK}/mo-dau", {"mo_dau": "Thưa bà con {place}, hôm nay {date}."}),
     lambda before, after: after["opening"] == "Thưa bà con {place}, hôm nay {date}.", "bulletin_opening_changed"),
]


@pytest.mark.parametrize("name, request_of, changed, action", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_button_changes_the_draft_and_writes_an_audit_line(db_app, articles, name, request_of, changed, action):
    app = db_app  # on each database engine
    editor = _started(app)
    before = _bulletin(app)
    assert [slug for slug, _, _ in before["items"]] == ["tin-0", "tin-1", "tin-2", "tin-3"]
    path, form = request_of(app, before)
    response = post(editor, path, form)
    assert response.status_code == 303 and response.headers["Location"] == DESK
    after = _bulletin(app)
    assert changed(before, after), after
    assert after["status"] == "draft"
    assert _audit_actions(app) == ["bulletin_drafted", action]
    with app.app_context():
        event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert event.username == "bientap" and event.target == "bản tin 2026-12-07"
    # What happened is said on the next page (POST-redirect-GET).
    assert 'class="notice notice-info"' in editor.get(DESK).get_data(as_text=True)


def test_adding_an_article_of_the_day_puts_it_last_read_as_chosen(app, articles):
    editor = _started(app)
    post(editor, f"{DESK}/tin/{_bulletin(app)['ids'][3]}/bo")
    response = post(editor, f"{DESK}/them", {"bai": str(_article_id(app, "tin-3")), "cach_doc": SUMMARY})
    assert response.status_code == 303
    assert _bulletin(app)["items"][-1] == ("tin-3", SUMMARY, False)
    assert _bulletin(app)["composed_by"] == COMPOSED_BY_EDITOR
    assert _audit_actions(app) == ["bulletin_drafted", "bulletin_item_removed", "bulletin_item_added"]


@pytest.mark.parametrize("path, form, message", [
    (f"{DESK}/them", {"bai": "tin-9", "cach_doc": LEAD}, "Chỉ thêm được bài đã đăng trong ngày"),
    (f"{DESK}/them", {"bai": "tin-0", "cach_doc": LEAD}, "Bài này đã có trong bản tin"),
    (f"{DESK}/them", {"bai": "99999", "cach_doc": LEAD}, "Chỉ thêm được bài"),
    (f"{DESK}/tin/99999/bo", {}, "Không có tin này trong bản tin"),
    (f"{DESK}/tin/first/cach-doc", {"cach_doc": "hat"}, "Cách đọc phải là một trong"),
    (f"{DESK}/tin/first/chuyen", {"huong": "len"}, "đã ở đầu bản tin"),
    (f"{DESK}/tin/first/chuyen", {"huong": "ngang"}, "Không rõ chuyển tin"),
    (f"{DESK}/mo-dau", {"mo_dau": "Chào {xa}"}, "unknown"),
])
def test_an_impossible_change_is_refused_with_a_reason_and_nothing_changes(app, articles, path, form, message):
    editor = _started(app)
    before = _bulletin(app)
    path = path.replace("first", str(before["ids"][0]))
    form = {key: str(_article_id(app, value)) if value.startswith("tin-") else value for key, value in form.items()}
    response = post(editor, path, form)
    assert response.status_code == 303
    assert _bulletin(app) == before
    assert _audit_actions(app) == ["bulletin_drafted"]
    assert message in editor.get(DESK).get_data(as_text=True)


def test_no_change_passes_without_the_csrf_token(app, articles):
    editor = _started(app)
    before = _bulletin(app)
    for path, form in [(f"{DESK}/tin/{before['ids'][0]}/bo", {}), (f"{DESK}/mo-dau", {"mo_dau": "Xin chào."}),
                       (f"{DESK}/tin/{before['ids'][1]}/chuyen", {"huong": "len"}), (f"{DESK}/theo-quy-tac", {})]:
        assert editor.post(path, data=form).status_code == 400
        assert editor.post(path, data={"csrf_token": "gia", **form}).status_code == 400
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    assert publisher.post(f"{DESK}/xuat-ban", data={}).status_code == 400
    assert _bulletin(app) == before and _audit_actions(app) == ["bulletin_drafted"]


def test_htmx_gets_the_desk_as_a_fragment_and_a_browser_the_whole_page(app, articles):
    editor = _started(app)
    headers = {"HX-Request": "true", "X-CSRFToken": token(editor, "/bien-tap/")}
    fragment = editor.get(DESK, headers={"HX-Request": "true"})
    page = editor.get(DESK)
    assert "<html" not in fragment.get_data(as_text=True) and 'id="ban-tin-soan"' in fragment.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True) and 'id="ban-tin-soan"' in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
    item = _bulletin(app)["ids"][1]
    changed = editor.post(f"{DESK}/tin/{item}/chuyen", data={"huong": "len"}, headers=headers, follow_redirects=True)
    body = changed.get_data(as_text=True)
    assert "<html" not in body and 'data-hx-swap-oob="innerHTML">Đã chuyển “Tin số 1 của huyện” lên vị trí 1' in body
    assert [slug for slug, _, _ in _bulletin(app)["items"]][:2] == ["tin-1", "tin-0"]


def test_an_editor_cannot_publish_nor_change_a_published_bulletin(db_app, articles):
    app = db_app  # on each database engine
    editor = _started(app)
    assert post(editor, f"{DESK}/xuat-ban").status_code == 403
    assert _bulletin(app)["status"] == "draft"
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    assert post(publisher, f"{DESK}/xuat-ban").status_code == 303
    before = _bulletin(app)
    assert before["status"] == PUBLISHED
    for path, form in [(f"{DESK}/tin/{before['ids'][0]}/bo", {}), (f"{DESK}/go", {}), (f"{DESK}/theo-quy-tac", {}),
                       (f"{DESK}/mo-dau", {"mo_dau": "Xin chào."})]:
        response = post(editor, path, form)
        assert response.status_code == 403 and "Không có quyền" in response.get_data(as_text=True), path
    assert _bulletin(app) == before
    page = editor.get(DESK).get_data(as_text=True)
    assert "chỉ người duyệt bài hoặc quản trị mới sửa được" in page and "Bỏ tin<span" not in page


def test_publishing_puts_the_bulletin_on_the_public_page_and_taking_it_down_removes_it(db_app, articles):
    app = db_app  # on each database engine
    _started(app)
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    response = post(publisher, f"{DESK}/xuat-ban")
    assert response.status_code == 303
    assert _bulletin(app)["status"] == PUBLISHED
    assert _audit_actions(app) == ["bulletin_drafted", "bulletin_published"]
    with app.app_context():
        assert app.extensions["docbai"].jobs.drain(120)
        bulletin = bulletin_desk().bulletin(DAY)
        assert bulletin_desk().is_current(bulletin)
    reader = app.test_client()
    public = reader.get("/ban-tin/").get_data(as_text=True)
    assert "Tin số 0 của huyện" in public and "/ban-tin/2026-12-07" in public
    assert reader.get("/ban-tin/2026-12-07").status_code == 200
    assert "Nghe trên trang Bản tin" in publisher.get(DESK).get_data(as_text=True)
    assert post(publisher, f"{DESK}/go").status_code == 303
    assert _bulletin(app)["status"] == "draft"
    assert _audit_actions(app)[-1] == "bulletin_unpublished"
    assert "Tin số 0 của huyện" not in reader.get("/ban-tin/").get_data(as_text=True)
    assert reader.get("/ban-tin/2026-12-07").status_code == 404


def test_a_change_to_a_published_bulletin_queues_its_audio_again(app, articles):
    _started(app)
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    post(publisher, f"{DESK}/xuat-ban")
    with app.app_context():
        assert app.extensions["docbai"].jobs.drain(120)
    post(publisher, f"{DESK}/tin/{_bulletin(app)['ids'][0]}/bo")
    with app.app_context():
        assert app.extensions["docbai"].jobs.drain(120)
        bulletin = bulletin_desk().bulletin(DAY)
        assert len(bulletin.items) == 3 and bulletin_desk().is_current(bulletin)


def test_handing_back_to_the_rule_recomposes_it_without_publishing(db_app, articles):
    app = db_app  # on each database engine
    editor = _started(app)
    ids = _bulletin(app)["ids"]
    post(editor, f"{DESK}/tin/{ids[0]}/bo")
    post(editor, f"{DESK}/tin/{ids[3]}/chuyen", {"huong": "len"})
    post(editor, f"{DESK}/tin/{ids[3]}/ghim", {"ghim": "1"})
    assert _bulletin(app)["composed_by"] == COMPOSED_BY_EDITOR
    assert post(editor, f"{DESK}/theo-quy-tac").status_code == 303
    after = _bulletin(app)
    # The rule picks the day's articles again, the pinned one first; the site auto-publishes what the rule
    # makes, but not when an editor hands it back.
    assert [slug for slug, _, _ in after["items"]] == ["tin-3", "tin-0", "tin-1", "tin-2"]
    assert after["items"][0][2] is True
    assert after["composed_by"] == RULE and after["status"] == "draft"
    assert _audit_actions(app)[-1] == "bulletin_handed_to_rule"


def test_nghe_thu_answers_mp3_that_no_cache_keeps(app, articles):
    editor = _started(app)
    response = editor.get(f"{DESK}/nghe-thu.mp3")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data()
    assert len(body) > 1000 and (body[:3] == b"ID3" or body[0] == 0xFF)
    with app.app_context():
        desk = bulletin_desk()
        preview = desk.preview(desk.bulletin(DAY))
        # The opening and the first item alone: not the whole bulletin.
        assert [chapter.title for chapter in preview.chapters] == ["Tin số 0 của huyện"]
    assert response.headers["ETag"].strip('"') == preview.key


def test_a_change_makes_nghe_thu_ahead_so_the_player_starts_at_once(app, articles):
    editor = _started(app)
    post(editor, f"{DESK}/tin/{_bulletin(app)['ids'][1]}/chuyen", {"huong": "len"})
    with app.app_context():
        assert app.extensions["docbai"].jobs.drain(120)
        desk = bulletin_desk()
        made = desk.audio.cached(desk.script(desk.bulletin(DAY)).first_items(1))
        assert made is not None and [chapter.title for chapter in made.chapters] == ["Tin số 1 của huyện"]


def test_nghe_thu_says_so_when_the_engines_fail(app, articles, monkeypatch):
    from services.speech import SpeechError

    editor = _started(app)
    with app.app_context():
        audio = bulletin_desk().audio

    def failing(script):
        raise SpeechError("không máy đọc nào trả lời")

    monkeypatch.setattr(audio, "make", failing)
    response = editor.get(f"{DESK}/nghe-thu.mp3")
    assert response.status_code == 503 and "Chưa nghe thử được" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] and "no-store" in response.headers["Cache-Control"]


def test_nghe_thu_of_a_day_without_a_bulletin_is_a_404(app, articles):
    editor = logged_in(app, "bientap", EDITOR)
    assert editor.get(f"{DESK}/nghe-thu.mp3").status_code == 404


@pytest.mark.parametrize("path", ["/bien-tap/ban-tin/2026-13-40", "/bien-tap/ban-tin/hom-nay",
                                  "/bien-tap/ban-tin/20261207", "/bien-tap/ban-tin/2026-02-30/nghe-thu.mp3",
                                  "/bien-tap/ban-tin/0001-01-01", "/bien-tap/ban-tin/9999-12-31"])
def test_a_day_that_does_not_exist_is_a_vietnamese_404(app, path):
    editor = logged_in(app, "bientap", EDITOR)
    response = editor.get(path)
    assert response.status_code == 404 and "Không tìm thấy trang" in response.get_data(as_text=True)
    assert post(editor, path.replace("/nghe-thu.mp3", "") + "/soan").status_code == 404


@pytest.mark.parametrize("wanted, location", [("2026-12-07", DESK), ("2026-02-30", "/bien-tap/ban-tin/"),
                                              ("<script>", "/bien-tap/ban-tin/"), ("", "/bien-tap/ban-tin/"),
                                              ("0001-01-01", "/bien-tap/ban-tin/")])
def test_the_day_form_opens_a_day_or_says_what_is_wrong(app, wanted, location):
    editor = logged_in(app, "bientap", EDITOR)
    response = editor.get("/bien-tap/ban-tin/", query_string={"ngay": wanted})
    assert response.status_code == 302 and response.headers["Location"] == location
    if location != DESK:
        assert "Ngày phải có dạng năm-tháng-ngày" in editor.get(location).get_data(as_text=True)


def test_an_administrator_may_do_what_a_publisher_may(app, articles):
    admin = _started(app, ADMINISTRATOR, "quantri")
    assert post(admin, f"{DESK}/xuat-ban").status_code == 303 and _bulletin(app)["status"] == PUBLISHED
    assert {reading for _, reading, _ in _bulletin(app)["items"]} <= {SUMMARY, LEAD, WHOLE}


def test_the_desks_pages_are_valid_html(app, articles, tmp_path):
    from test_html_validity import _run_checker, _wrapped_fragment

    editor = logged_in(app, "bientap", EDITOR)
    documents = {"empty": editor.get(DESK).get_data(as_text=True)}
    post(editor, f"{DESK}/soan", {"cach": "quy-tac"})
    post(editor, f"{DESK}/tin/{_bulletin(app)['ids'][0]}/ghim", {"ghim": "1"})
    documents["list"] = editor.get("/bien-tap/ban-tin/").get_data(as_text=True)
    documents["desk"] = editor.get(DESK).get_data(as_text=True)
    post(editor, f"{DESK}/mo-dau", {"mo_dau": "Xin chào {place}."})
    fragment = editor.get(DESK, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-hx-swap-oob="innerHTML">Đã lưu lời mở đầu.' in fragment
    documents["fragment"] = _wrapped_fragment(fragment)
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    post(publisher, f"{DESK}/xuat-ban")
    documents["published"] = publisher.get(DESK).get_data(as_text=True)
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    problems = [f'{message.get("url", "").rsplit("/", 1)[-1]} {message.get("lastLine", "?")}: {message["message"]}'
                for message in _run_checker(paths)]
    assert problems == []
