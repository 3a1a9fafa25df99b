"""Bulletins: what they say (the date as a newsreader says it), which articles the daily rule picks, what an editor
can change, the schedule and its lock, the pages and the command line. No audio is made here except where a test
says so (tests/test_bulletin_made.py checks a made file from outside)."""
import dataclasses
import datetime as dt
import threading
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import redis as redis_library

from extensions import db
from support import add_lexicon_entries
from models import Article, Bulletin, BulletinItem
from services.bulletin.composition import EDITOR, PUBLISHED, RULE, BulletinError
from services.bulletin.schedule import latest_due_day, run_schedule, schedule_lock
from services.bulletin.script import LEAD, SUMMARY, WHOLE, reading_sentences, spoken_date, transition
from services.vietnamese import spoken_form
from settings import SettingError, bulletin_wording, clock_time
from web.bulletins import bulletin_desk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.date(2026, 12, 7)  # a Monday; the bulletin's time is 17:00 there, 10:00 UTC


@pytest.mark.parametrize("day, spoken", [
    (dt.date(2026, 12, 7), "thứ Hai, ngày mùng bảy tháng mười hai năm hai nghìn không trăm hai mươi sáu"),
    (dt.date(2025, 4, 15), "thứ Ba, ngày mười lăm tháng tư năm hai nghìn không trăm hai mươi lăm"),
    (dt.date(2026, 11, 1), "Chủ nhật, ngày mùng một tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    (dt.date(2026, 1, 10), "thứ Bảy, ngày mùng mười tháng một năm hai nghìn không trăm hai mươi sáu"),
    (dt.date(2026, 1, 21), "thứ Tư, ngày hai mươi mốt tháng một năm hai nghìn không trăm hai mươi sáu"),
])
def test_the_date_is_said_as_a_newsreader_says_it(day, spoken):
    assert spoken_date(day) == spoken


def test_transitions_count_the_items_and_name_the_last():
    assert [transition(number, 3) for number in (1, 2, 3)] == ["Tin thứ nhất.", "Tin thứ hai.", "Tin cuối cùng."]
    assert transition(1, 1) == "Tin thứ nhất."
    assert transition(4, 9) == "Tin thứ tư."


def test_wording_settings_refuse_what_they_cannot_fill_in():
    assert bulletin_wording("Đây là {station}, {date}.") == "Đây là {station}, {date}."
    for bad in ("Xin chào {xa}", "Thiếu ngoặc {station"):
        with pytest.raises(ValueError):
            bulletin_wording(bad)
    assert clock_time("7:05") == "07:05"
    with pytest.raises(ValueError):
        clock_time("25:00")


def test_a_bad_wording_stops_the_start_naming_the_setting(tmp_path, monkeypatch):
    from settings import load_settings

    with pytest.raises(SettingError, match="BULLETIN_OPENING"):
        load_settings(str(tmp_path), {"BULLETIN_OPENING": "Chào {ban}"})


def _article(number, hours_before_time=1, body_paragraphs=3, summary="Tóm tắt ngắn của tin.", words=12):
    published = dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc) - dt.timedelta(hours=hours_before_time)
    paragraph = " ".join(["Bà con thôn Nà Lừa làm đường"] * (words // 6)) + "."
    return dict(slug=f"tin-{number}", title=f"Tin số {number} của huyện", summary=summary, published_at=published,
                body_html="".join(f"<p>{paragraph}</p>" for _ in range(body_paragraphs)))


@pytest.fixture
def articles(make_article):
    """Six articles in the window of 7/12 (newest first: tin-0 …), one the day before, one not published yet."""
    made = [make_article(**_article(number, hours_before_time=number + 1)) for number in range(6)]
    make_article(**_article(6, hours_before_time=30))
    make_article(**_article(7, hours_before_time=2), status="draft")
    return made


def _items(bulletin):
    return [(item.article.slug, item.reading) for item in bulletin.items]


def test_the_rule_reads_the_days_articles_newest_first(db_app, articles):
    with db_app.app_context():
        desk = bulletin_desk()
        assert [article.slug for article in desk.candidates(DAY)] == [f"tin-{n}" for n in range(6)]
        bulletin = desk.compose_by_rule(DAY)
        db.session.commit()
        assert [slug for slug, _ in _items(bulletin)] == [f"tin-{n}" for n in range(6)]
        # Ten minutes hold all six whole; the rule upgraded every first-paragraphs reading.
        assert {reading for _, reading in _items(bulletin)} == {WHOLE}
        assert bulletin.composed_by == RULE and bulletin.status == PUBLISHED


def test_the_rule_keeps_within_the_target_length(app, make_article):
    with app.app_context():
        desk = bulletin_desk()
    for number in range(8):
        make_article(**_article(number, hours_before_time=number + 1, body_paragraphs=6, words=60))
    with app.app_context():
        desk = bulletin_desk()
        desk.settings = dataclasses.replace(desk.settings, minutes=2)
        bulletin = desk.compose_by_rule(DAY)
        readings = _items(bulletin)
        assert desk.estimate_seconds(bulletin) <= 120
        assert 1 < len(readings) < 8
        assert readings[0] == ("tin-0", LEAD)  # newest first; two long paragraphs are all that fits
        # Summaries fill what first paragraphs could not.
        assert SUMMARY in {reading for _, reading in readings}


def test_pinned_items_come_first_and_the_rule_fills_around_them(db_app, articles):
    with db_app.app_context():
        desk = bulletin_desk()
        bulletin = desk.compose_by_rule(DAY)
        pinned = next(item for item in bulletin.items if item.article.slug == "tin-4")
        desk.set_reading(bulletin, pinned.id, SUMMARY)
        bulletin.composed_by = RULE  # an editor's pin, the rest left to the rule
        desk.set_pinned(bulletin, pinned.id, True)
        db.session.commit()
        bulletin = desk.compose_by_rule(DAY)
        assert _items(bulletin)[0] == ("tin-4", SUMMARY)
        assert [slug for slug, _ in _items(bulletin)][1:] == ["tin-0", "tin-1", "tin-2", "tin-3", "tin-5"]


def test_composing_again_changes_nothing_when_nothing_changed(db_app, articles):
    with db_app.app_context():
        desk = bulletin_desk()
        first = _items(desk.compose_by_rule(DAY))
        db.session.commit()
        version = db_app.extensions["docbai"].content_version
        token = version.current()
        desk.compose_by_rule(DAY)
        db.session.commit()
        # Nothing was written: the cached pages stay (a rewrite of the same items would replace them).
        assert version.current() == token
        assert _items(desk.bulletin(DAY)) == first


def test_a_day_without_articles_has_no_bulletin(db_app, articles):
    with db_app.app_context():
        assert bulletin_desk().compose_by_rule(dt.date(2026, 1, 1)) is None
        assert db.session.execute(db.select(Bulletin)).first() is None


def test_an_editor_adds_removes_reorders_and_chooses_readings(db_app, articles):
    with db_app.app_context():
        desk = bulletin_desk()
        bulletin = desk.draft(DAY)
        db.session.commit()
        assert bulletin.composed_by == RULE and bulletin.status == "draft"
        by_slug = {item.article.slug: item for item in bulletin.items}
        desk.remove_item(bulletin, by_slug["tin-5"].id)
        desk.move_item(bulletin, by_slug["tin-3"].id, 0)
        desk.set_reading(bulletin, by_slug["tin-0"].id, SUMMARY)
        outsider = db.session.execute(db.select(Article).filter_by(slug="tin-6")).scalar_one()
        desk.add_item(bulletin, outsider, LEAD, position=1)
        db.session.commit()
        bulletin = desk.bulletin(DAY)
        assert _items(bulletin) == [("tin-3", WHOLE), ("tin-6", LEAD), ("tin-0", SUMMARY), ("tin-1", WHOLE),
                                    ("tin-2", WHOLE), ("tin-4", WHOLE)]
        assert [item.position for item in bulletin.items] == list(range(6))
        assert bulletin.composed_by == EDITOR
        # The rule no longer touches it.
        assert _items(desk.compose_by_rule(DAY)) == _items(bulletin)
        desk.reorder(bulletin, [item.id for item in reversed(bulletin.items)])
        assert [slug for slug, _ in _items(bulletin)][0] == "tin-4"
        # Handed back, the rule picks the day's articles again.
        desk.hand_back_to_rule(bulletin)
        assert [slug for slug, _ in _items(desk.compose_by_rule(DAY))] == [f"tin-{n}" for n in range(6)]


@pytest.mark.parametrize("change, message", [
    (lambda desk, bulletin, article: desk.add_item(bulletin, article), "đã có"),
    (lambda desk, bulletin, article: desk.set_reading(bulletin, bulletin.items[0].id, "hat"), "Cách đọc"),
    (lambda desk, bulletin, article: desk.remove_item(bulletin, 10_000), "Không có tin"),
    (lambda desk, bulletin, article: desk.reorder(bulletin, [bulletin.items[0].id]), "đủ các tin"),
    (lambda desk, bulletin, article: desk.set_opening(bulletin, "Chào {xa}"), "unknown"),
    (lambda desk, bulletin, article: desk.compose(DAY, [article] * 13), "nhiều nhất 12"),
])
def test_an_editors_impossible_change_is_refused_with_a_reason(db_app, articles, change, message):
    with db_app.app_context():
        desk = bulletin_desk()
        bulletin = desk.draft(DAY)
        with pytest.raises(BulletinError, match=message):
            change(desk, bulletin, bulletin.items[0].article)


def test_an_editors_opening_is_what_the_bulletin_says_first(db_app, articles):
    with db_app.app_context():
        desk = bulletin_desk()
        bulletin = desk.draft(DAY)
        assert desk.opening_text(bulletin).startswith("Đây là Đài Truyền thanh huyện Đồng Lâm. Hôm nay, thứ Hai, ngày "
                                                      "mùng bảy tháng mười hai")
        desk.set_opening(bulletin, "Thưa bà con {place}, hôm nay {date}, có tin UBND xã.")
        script = desk.script(bulletin)
        assert script.opening[0].startswith("Thưa bà con huyện Đồng Lâm, hôm nay thứ Hai")
        assert "Ủy ban nhân dân" in script.opening[0]  # the lexicon applies to the framing too
        assert [item.transition for item in script.items][:2] == [("Tin thứ nhất.",), ("Tin thứ hai.",)]
        assert script.closing[0].startswith("Bản tin của Đài Truyền thanh huyện Đồng Lâm")
        desk.set_opening(bulletin, None)
        assert desk.script(bulletin).opening[0].startswith("Đây là")


def test_readings_take_the_same_sentences_as_doc_bai(app, make_article):
    article = make_article(**_article(1, body_paragraphs=4, summary="Đường mới dài 3 km."))
    with app.app_context():
        speech = app.extensions["docbai"].speech
        sentences = speech.sentences(article)
        table = speech.lexicon.table()
        whole = reading_sentences(WHOLE, sentences, article.title, article.summary, table)
        lead = reading_sentences(LEAD, sentences, article.title, article.summary, table)
        summary = reading_sentences(SUMMARY, sentences, article.title, article.summary, table)
        assert whole == speech.segments(article)  # Đọc bài's own segments: the same cached audio
        assert lead == whole[:len(lead)] and len(lead) < len(whole)
        assert summary == (whole[0], spoken_form("Đường mới dài 3 km.", table))


def test_publishing_needs_items_and_a_draft_stays_off_the_pages(app, articles, client):
    with app.app_context():
        desk = bulletin_desk()
        empty = Bulletin(day=dt.date(2026, 1, 2), status="draft", composed_by=EDITOR)
        db.session.add(empty)
        with pytest.raises(BulletinError):
            desk.publish(empty)
        bulletin = desk.draft(DAY)
        bulletin.audio_key = "0" * 64  # as if made
        db.session.commit()
    assert "Chưa có bản tin nào" in client.get("/ban-tin/").get_data(as_text=True)
    assert client.get("/ban-tin/2026-12-07").status_code == 404
    assert client.get("/ban-tin/moi-nhat.mp3").status_code == 404


@pytest.mark.parametrize("path", ["/ban-tin/2026-13-40", "/ban-tin/khong-phai-ngay.mp3", "/ban-tin/2026-12-07/bang-tin.pdf"])
def test_unknown_days_are_404(client, path):
    assert client.get(path).status_code == 404


def test_the_list_is_a_fragment_for_htmx_and_a_page_otherwise(client):
    fragment = client.get("/ban-tin/", headers={"HX-Request": "true"})
    page = client.get("/ban-tin/")
    assert "<html" not in fragment.get_data(as_text=True) and 'id="danh-sach-ban-tin"' in fragment.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]


def test_the_loudspeaker_address_serves_the_latest_made_bulletin_and_asks_again_after_eviction(app, articles, client):
    with app.app_context():
        desk = bulletin_desk()
        bulletin = desk.compose_by_rule(DAY)
        older = Bulletin(day=dt.date(2026, 12, 1), status=PUBLISHED, composed_by=RULE, audio_key="1" * 64,
                         items=[BulletinItem(article=bulletin.items[0].article, position=0)])
        db.session.add(older)
        bulletin.audio_key = "2" * 64  # published and made, but its file is not in the cache (evicted)
        db.session.commit()
    response = client.get("/ban-tin/moi-nhat.mp3")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert client.get("/ban-tin/moi-nhat.mp3", headers={"If-None-Match": f'"{"2" * 64}"'}).status_code == 304
    with app.app_context():
        jobs = app.extensions["docbai"].jobs
        assert jobs.drain(120)
        bulletin = bulletin_desk().bulletin(DAY)
        assert bulletin.audio_key != "2" * 64 and bulletin_desk().is_current(bulletin)
    made = client.get("/ban-tin/moi-nhat.mp3")
    assert made.status_code == 200 and made.headers["ETag"].strip('"') == bulletin.audio_key


@pytest.mark.parametrize("now, due", [
    (dt.datetime(2026, 12, 7, 9, 59, tzinfo=dt.timezone.utc), dt.date(2026, 12, 6)),
    (dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc), dt.date(2026, 12, 7)),
    (dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.timezone.utc), dt.date(2026, 12, 7)),  # 06:30 on the 8th there
    (dt.datetime(2026, 12, 8, 10, 1, tzinfo=dt.timezone.utc), dt.date(2026, 12, 8)),
])
def test_the_due_day_is_the_last_one_whose_time_has_come(now, due):
    assert latest_due_day(now, ZONE, dt.time(17, 0)) == due


def test_the_schedule_runs_its_ticks_only_while_it_holds_the_lock():
    stop = threading.Event()
    ticks, answers = [], iter([False, True])

    @contextmanager
    def lock():
        yield next(answers)

    def tick():
        ticks.append(1)
        if len(ticks) == 3:
            stop.set()

    run_schedule(tick, lock, stop, tick_seconds=0)
    assert len(ticks) == 3


def test_one_host_holds_the_schedule_lock_at_a_time(tmp_path):
    client = redis_library.Redis.from_url("redis://127.0.0.1:6379/13")
    try:
        client.ping()
    except redis_library.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    try:
        with schedule_lock(client, "", 1) as first:
            with schedule_lock(client, "", 0.2) as second:
                assert (first, second) == (True, False)
        with schedule_lock(client, "", 1) as after:
            assert after
    finally:
        client.delete("docbai:bulletin-schedule")
    lock_file = str(tmp_path / "schedule.lock")
    with schedule_lock(None, lock_file, 1) as first:
        assert first
        outcome = []
        thread = threading.Thread(target=lambda: outcome.append(schedule_lock(None, lock_file, 0.2).__enter__()))
        thread.start()
        thread.join()
        assert outcome == [False]


def test_the_command_line_makes_a_bulletin_of_the_given_articles(app, articles, runner, tmp_path):
    output = tmp_path / "ban-tin.mp3"
    result = runner.invoke(args=["bulletin", "make", "--date", "2026-12-07", "--articles", "tin-2,tin-0",
                                 "--reading", "tin-0=summary", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Bản tin 07/12/2026 (đã đăng): 2 tin" in result.output
    assert output.read_bytes()[:3] == b"ID3"
    with app.app_context():
        bulletin = bulletin_desk().bulletin(DAY)
        assert _items(bulletin) == [("tin-2", WHOLE), ("tin-0", SUMMARY)]
        assert bulletin.composed_by == EDITOR and bulletin.audio_key and bulletin.items[1].start_seconds > 0
    listing = runner.invoke(args=["bulletin", "list"])
    assert listing.output.startswith("2026-12-07  đã đăng   2 tin")


@pytest.mark.parametrize("args, message", [
    (["--date", "7/12/2026"], "YYYY-MM-DD"),
    (["--date", "2026-12-07", "--articles", "khong-co"], "khong-co"),
    (["--date", "2026-12-07", "--articles", "tin-0", "--reading", "tin-0=hat"], "summary, lead, whole"),
    (["--date", "2026-01-01"], "Không có bài nào"),
])
def test_the_command_line_says_what_is_wrong(app, articles, runner, args, message):
    result = runner.invoke(args=["bulletin", "make", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_schedule_once_makes_the_due_days_bulletin_once(app, make_article, runner):
    now = dt.datetime.now(dt.timezone.utc)
    app.config["BULLETIN_TIME"] = "00:00"
    with app.app_context():
        desk = bulletin_desk()
        desk.settings = dataclasses.replace(desk.settings, time=dt.time(0, 0))
        day = latest_due_day(now, ZONE, dt.time(0, 0))
        _, end = desk.window(day)
    make_article(slug="tin-hom-nay", title="Tin hôm nay", published_at=end - dt.timedelta(hours=2))
    assert runner.invoke(args=["bulletin", "schedule", "--once"]).exit_code == 0
    with app.app_context():
        bulletin = bulletin_desk().bulletin(day)
        key = bulletin.audio_key
        assert key and bulletin.status == PUBLISHED and bulletin_desk().is_current(bulletin)
    assert runner.invoke(args=["bulletin", "schedule", "--once"]).exit_code == 0
    with app.app_context():
        assert bulletin_desk().bulletin(day).audio_key == key  # nothing made twice
        article = db.session.execute(db.select(Article).filter_by(slug="tin-hom-nay")).scalar_one()
        article.body_html = "<p>Tin đã sửa lại.</p>"
        db.session.commit()
    assert runner.invoke(args=["bulletin", "schedule", "--once"]).exit_code == 0
    with app.app_context():
        assert bulletin_desk().bulletin(day).audio_key != key  # a changed article, a new version


@pytest.mark.parametrize("count", [1, 4, 6, 7, 12])
def test_the_notice_fits_one_a4_page_up_to_the_most_items(app, make_article, count):
    import io

    from pypdf import PdfReader

    from web.bulletins import notice_pdfs
    from web.urls import public_url

    long_title = "Huyện Đồng Lâm triển khai kế hoạch chuyển đổi cơ cấu cây trồng vụ đông xuân năm 2027 tại các xã vùng cao"
    summary = " ".join(["Bà con các thôn được hỗ trợ giống, phân bón và hướng dẫn kỹ thuật canh tác mới."] * 4)
    made = [make_article(**{**_article(number), "title": f"{long_title} ({number})", "summary": summary})
            for number in range(count)]
    with app.app_context():
        desk = bulletin_desk()
        bulletin = desk.compose(DAY, [db.session.get(Article, article.id) for article in made])
        pdf = notice_pdfs().get_or_render(bulletin, public_url("bulletins.bulletin", day=DAY.isoformat()))
    pages = PdfReader(io.BytesIO(pdf.path.read_bytes())).pages
    assert len(pages) == 1
    text = " ".join(pages[0].extract_text().split())
    assert f"({count - 1})" in text


def test_an_editors_lexicon_entry_reaches_the_next_bulletin(app, articles):
    with app.app_context():
        desk = bulletin_desk()
        bulletin = desk.compose_by_rule(DAY)
        before = desk.audio.key(desk.script(bulletin))
        assert not any("Nà Lừa xanh" in text for text in desk.script(bulletin).all_segments())
        add_lexicon_entries(app, "Nà Lừa\tNà Lừa xanh\tword\n")
        script = desk.script(bulletin)
        assert any("Nà Lừa xanh" in text for text in script.all_segments())
        assert desk.audio.key(script) != before  # a new version is made, with the editor's word
