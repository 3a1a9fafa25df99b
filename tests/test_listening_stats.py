"""Listening statistics: what is counted (views, plays, sentences heard, ends, MP3 and PDF downloads, per article
and day), what is not (HEAD, crawlers, prefetches, later byte ranges), that counting sets no cookie and commits
nothing per event, and the newsroom's Thống kê pages (staff only, charts drawn as SVG with their tables)."""
import datetime as dt
import itertools
import re
import uuid

import pytest
from sqlalchemy import event, select

from extensions import db
from models import Article, ArticleDayCount, SentenceDayCount
from newsroom_support import app, db_app, logged_in  # noqa: F401
from services.newsroom.accounts import ADMINISTRATOR, EDITOR, PUBLISHER
from services.statistics.charts import bar_chart
from services.statistics.counting import ArticleEvents, Tally, add_tallies
from services.statistics.report import SHARP_DROP_LISTENERS, listener_curve
from support import redis_running, silent_mp3, use_voice
from web.counting import today
from web.site_services import flush_views

BODY = "<p>Ủy ban nhân dân huyện thông báo lịch tiếp dân. Lịch tiếp dân vào thứ Năm hằng tuần.</p><p>Xin cảm ơn.</p>"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
NOT_A_PERSON = [
    {"User-Agent": GOOGLEBOT},
    {"Sec-Purpose": "prefetch"},
    {"Sec-Purpose": "prefetch;prerender"},
    {"Purpose": "prefetch"},
    {"X-Moz": "prefetch"},
]


class SilentVoice:
    name = "silent"
    voice = "test"
    mp3 = silent_mp3(0.5)

    def synthesize(self, text):
        return self.mp3


def _counts(app, article_id):
    """{event: count} of the article (every day), once what is buffered is written."""
    flush_views(app)
    with app.app_context():
        rows = db.session.execute(select(ArticleDayCount).where(ArticleDayCount.article_id == article_id)).scalars()
        counts = {}
        for row in rows:
            counts[row.event] = counts.get(row.event, 0) + row.count
        return counts


def _heard(app, article_id):
    """{sentence: listeners} of the article (every day)."""
    flush_views(app)
    with app.app_context():
        rows = db.session.execute(select(SentenceDayCount).where(SentenceDayCount.article_id == article_id)).scalars()
        return {row.sentence: row.listeners for row in rows}


def _report(client, slug, **fields):
    return client.post(f"/bai-viet/{slug}/nghe/thong-ke", data=fields)


def test_each_kind_is_counted_per_article_and_day(db_app, make_article):
    article = make_article(body_html=BODY)
    other = make_article(body_html=BODY)
    use_voice(db_app, SilentVoice())
    client = db_app.test_client()
    assert client.get(f"/bai-viet/{article.slug}/xem.gif").status_code == 200
    assert client.get(f"/bai-viet/{article.slug}/xem.gif").status_code == 200
    assert _report(client, article.slug, bat_dau="1", cau="0,1,2").status_code == 204
    assert _report(client, article.slug, cau="3", het_bai="1").status_code == 204
    assert _report(client, article.slug, bat_dau="1", cau="0").status_code == 204  # a second listener stops
    assert client.get(f"/bai-viet/{article.slug}/nghe.mp3?tai_ve=1").status_code == 200
    assert client.get(f"/bai-viet/{article.slug}/in.pdf").status_code == 200
    assert client.get(f"/bai-viet/{other.slug}/xem.gif").status_code == 200
    assert _counts(db_app, article.id) == {"view": 2, "play": 2, "end": 1, "mp3": 1, "pdf": 1}
    assert _heard(db_app, article.id) == {0: 2, 1: 1, 2: 1, 3: 1}
    assert _counts(db_app, other.id) == {"view": 1}
    with db_app.app_context():
        days = set(db.session.execute(select(ArticleDayCount.day)).scalars())
        assert days == {today()}


@pytest.mark.parametrize("headers", NOT_A_PERSON, ids=lambda headers: "-".join(headers.values())[:30])
def test_crawlers_and_prefetches_are_not_counted(app, make_article, headers):
    article = make_article(body_html=BODY)
    use_voice(app, SilentVoice())
    client = app.test_client()
    assert client.get(f"/bai-viet/{article.slug}/xem.gif", headers=headers).status_code == 200
    assert client.post(f"/bai-viet/{article.slug}/nghe/thong-ke", headers=headers,
                       data={"bat_dau": "1", "cau": "0", "het_bai": "1"}).status_code == 204
    assert client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers=headers).status_code == 200
    assert _counts(app, article.id) == {}
    assert _heard(app, article.id) == {}


def test_heads_later_ranges_and_revalidations_are_not_downloads(app, make_article):
    article = make_article(body_html=BODY)
    use_voice(app, SilentVoice())
    client = app.test_client()
    url = f"/bai-viet/{article.slug}/nghe.mp3"
    whole = client.get(url)  # made now, and counted: one download
    assert whole.status_code == 200
    assert client.head(url).status_code == 200
    assert client.head(f"/bai-viet/{article.slug}/xem.gif").status_code == 200
    assert client.get(url, headers={"Range": "bytes=100-"}).status_code == 206  # a player seeking
    assert client.get(url, headers={"Range": "bytes=-100"}).status_code == 206
    assert client.get(url, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"Range": "bytes=0-"}).status_code == 206  # a player starting: counted
    assert _counts(app, article.id) == {"mp3": 2}


def test_the_pdf_counts_once_per_download_not_per_range(app, make_article):
    article = make_article(body_html=BODY)
    client = app.test_client()
    url = f"/bai-viet/{article.slug}/in.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert client.get(url, headers={"Range": "bytes=500-"}).status_code == 206
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.head(url).status_code == 200
    assert _counts(app, article.id) == {"pdf": 1}


def test_counting_sets_no_cookie_and_is_never_cached(app, make_article):
    article = make_article(body_html=BODY)
    use_voice(app, SilentVoice())
    client = app.test_client()
    answers = [
        client.get(f"/bai-viet/{article.slug}/xem.gif"),
        _report(client, article.slug, bat_dau="1", cau="0"),
        client.get(f"/bai-viet/{article.slug}/nghe.mp3"),
    ]
    for response in answers:
        assert "Set-Cookie" not in response.headers, response.request.path
    assert answers[1].status_code == 204
    assert "no-store" in answers[1].headers["Cache-Control"]
    assert list(client._cookies) == []


@pytest.fixture
def unflushed_app(tmp_path, monkeypatch, build_app):
    """An app whose buffers are not flushed by their own clock during the test: only the test flushes."""
    monkeypatch.setenv("VIEW_FLUSH_SECONDS", "3600")
    yield from build_app(tmp_path, monkeypatch, "sqlite")


def test_no_commit_per_event_the_flush_writes_them_together(unflushed_app):
    app = unflushed_app
    with app.app_context():
        article = Article(title="Lịch tiếp dân", slug="lich-tiep-dan", body_html=BODY, status="published",
                          published_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        db.session.add(article)
        db.session.commit()
        article_id, engine = article.id, db.engine
    commits = []

    def note_commit(connection):
        commits.append(1)

    event.listen(engine, "commit", note_commit)
    try:
        client = app.test_client()
        for _ in range(20):
            client.get("/bai-viet/lich-tiep-dan/xem.gif")
            _report(client, "lich-tiep-dan", bat_dau="1", cau="0,1", het_bai="1")
        assert commits == []  # twenty views and twenty plays wait in the buffers
        assert app.extensions["docbai"].events.pending_total() == 20 * 5  # a view, a start, an end, two sentences
        flush_views(app)
        assert len(commits) == 2  # the views' UPDATE, and one transaction for every tally
    finally:
        event.remove(engine, "commit", note_commit)
    assert _counts(app, article_id) == {"view": 20, "play": 20, "end": 20}
    assert _heard(app, article_id) == {0: 20, 1: 20}


@pytest.mark.parametrize("fields", [
    {"cau": "abc"}, {"cau": "0,,1"}, {"cau": "99"}, {"cau": "-1"}, {"bat_dau": "có"}, {"het_bai": "2"},
    {"cau": "9" * 5000},
])
def test_a_report_that_names_no_sentence_is_refused_in_vietnamese(app, make_article, fields):
    article = make_article(body_html=BODY)
    response = _report(app.test_client(), article.slug, **fields)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert _heard(app, article.id) == {} and _counts(app, article.id) == {}


def test_a_report_about_no_article_is_a_404(app):
    assert app.test_client().post("/bai-viet/khong-co/nghe/thong-ke", data={"cau": "0"}).status_code == 404


def test_a_batch_written_twice_counts_once_and_tallies_of_a_gone_article_are_dropped(db_app, make_article):
    article = make_article(body_html=BODY)
    day = dt.date(2026, 12, 7)
    counts = {Tally(article.id, day, "play").key(): 3, Tally(article.id, day, "heard", 2).key(): 3,
              Tally(99999, day, "play").key(): 1, "rác|không|phải|khóa": 5}
    with db_app.app_context():
        assert add_tallies(counts, "batch-1") is True
        assert add_tallies(counts, "batch-1") is False
        assert add_tallies({Tally(article.id, day, "play").key(): 1}) is True
    assert _counts(db_app, article.id) == {"play": 4}
    assert _heard(db_app, article.id) == {2: 3}


@pytest.mark.skipif(not redis_running(), reason="needs Redis at 127.0.0.1:6379")
def test_with_redis_the_tallies_wait_in_a_shared_hash_until_a_flush(app, make_article):
    import redis as redis_library

    article = make_article(body_html=BODY)
    client = redis_library.Redis()
    written = []

    def write(counts, batch_id):
        written.append((dict(counts), batch_id))
        with app.app_context():
            add_tallies(counts, batch_id)

    events = ArticleEvents(write, interval=3600, redis=client, prefix=f"test-{uuid.uuid4().hex[:8]}:")
    client.delete(events.shared.pending_key, events.shared.taken_key, events.shared.token_key)
    try:
        day = dt.date(2026, 12, 7)
        events.count(article.id, day, "view")
        events.count_play(article.id, day, True, False, [0, 1])
        assert client.hlen(events.shared.pending_key) == 4 and written == []
        assert events.flush() == 4
        assert len(written) == 1 and written[0][1] is not None  # a batch with its token
    finally:
        events.stop()
        client.delete(events.shared.pending_key, events.shared.taken_key, events.shared.token_key)
    assert _counts(app, article.id) == {"view": 1, "play": 1}
    assert _heard(app, article.id) == {0: 1, 1: 1}


def test_the_listener_curve_flags_a_sharp_drop_after_a_sentence():
    counts = {0: 40, 1: 39, 2: 38, 3: 20, 4: 19, 5: 2}
    curve = listener_curve(counts, list(range(6)))
    assert [point.listeners for point in curve] == [40, 39, 38, 20, 19, 2]
    assert [point.sentence for point in curve if point.sharp] == [2, 4]
    assert curve[2].drop_after == 18
    assert not curve[5].sharp, "the last sentence is where everyone stops"
    few = listener_curve({0: SHARP_DROP_LISTENERS - 1, 1: 0}, [0, 1, 2])
    assert not any(point.sharp for point in few), "one or two listeners stopping is no sign"
    assert [point.listeners for point in listener_curve({0: 3, 7: 9}, [0, 1])] == [3, 0]  # an older text's index
    # A sentence with nothing to say (never played) is left out, not taken for a drop.
    skipping = listener_curve({0: 10, 1: 10, 3: 10}, [0, 1, 3])
    assert [point.sentence for point in skipping] == [0, 1, 3] and not any(point.sharp for point in skipping)


def test_bar_chart_scales_to_the_largest_value():
    chart = bar_chart([("a", 0), ("b", 5), ("c", 10)], width=300, height=116)
    assert chart.maximum == 10
    assert [bar.height for bar in chart.bars] == [0, 50, 100]
    assert [bar.y for bar in chart.bars] == [116, 66, 16]
    assert all(bar.x + bar.width <= 300 for bar in chart.bars)
    assert [bar.height for bar in bar_chart([("a", 0)]).bars] == [0]


ACCOUNTS = itertools.count(1)


def _statistics_page(app, path, role=PUBLISHER):
    return logged_in(app, f"thongke{next(ACCOUNTS)}", role).get(path)


def test_the_statistics_page_is_for_publishers_and_administrators_only(app, make_article):
    article = make_article(body_html=BODY)
    for path in ("/bien-tap/thong-ke", f"/bien-tap/thong-ke/bai-viet/{article.id}"):
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and "/bien-tap/dang-nhap" in anonymous.headers["Location"]
    editor = logged_in(app, "bientapvien", EDITOR)
    for path in ("/bien-tap/thong-ke", f"/bien-tap/thong-ke/bai-viet/{article.id}"):
        refused = editor.get(path)
        assert refused.status_code == 403 and "không có quyền" in refused.get_data(as_text=True)
    assert "Thống kê" not in editor.get("/bien-tap/").get_data(as_text=True)
    for role in (PUBLISHER, ADMINISTRATOR):
        page = _statistics_page(app, "/bien-tap/thong-ke", role)
        assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]


def test_the_statistics_page_ranks_the_period_with_svg_charts_and_their_tables(app, make_article):
    read, listened, printed = (make_article(title=title, body_html=BODY)
                               for title in ("Bài đọc nhiều", "Bài nghe nhiều", "Bài in nhiều"))
    with app.app_context():
        day = today()
        add_tallies({
            Tally(read.id, day, "view").key(): 50, Tally(listened.id, day, "view").key(): 3,
            Tally(listened.id, day, "play").key(): 12, Tally(printed.id, day, "pdf").key(): 7,
            Tally(read.id, day - dt.timedelta(days=400), "pdf").key(): 99,  # long before the period
        })
    html = _statistics_page(app, "/bien-tap/thong-ke").get_data(as_text=True)
    sections = {name: html[html.index(f'id="xep-hang-{name}"'):] for name in ("view", "play", "pdf")}
    assert sections["view"].index("Bài đọc nhiều") < sections["view"].index("Bài nghe nhiều")
    assert re.search(r"Bài đọc nhiều</a></td>\s*<td class=\"number\">50<", sections["view"])
    assert re.search(r"Bài nghe nhiều</a></td>\s*<td class=\"number\">12<", sections["play"])
    assert re.search(r"Bài in nhiều</a></td>\s*<td class=\"number\">7<", sections["pdf"])
    assert "99" not in sections["pdf"]
    assert html.count('<svg role="img" aria-labelledby=') == 2
    assert '<title id="bieu-do-nghe-tieu-de">Lượt nghe mỗi ngày</title>' in html
    assert '<table id="so-lieu-tung-ngay"' in html
    assert f'<time datetime="{day.isoformat()}">' in html
    assert "<script" not in html.split("</head>")[1], "no chart script"
    # An earlier period, asked by the form (GET): the PDF downloads of 400 days ago are in it.
    start = (day - dt.timedelta(days=410)).isoformat()
    end = (day - dt.timedelta(days=390)).isoformat()
    earlier = _statistics_page(app, f"/bien-tap/thong-ke?tu={start}&den={end}").get_data(as_text=True)
    assert re.search(r"Bài đọc nhiều</a></td>\s*<td class=\"number\">99<", earlier)
    assert f'name="tu" type="date" value="{start}"' in earlier


@pytest.mark.parametrize("query", ["tu=hom-qua", "den=2026-13-40", "tu=2026-12-07&den=2026-12-01",
                                   "tu=2020-01-01&den=2026-12-01", "tu=" + "9" * 200])
def test_a_bad_period_is_explained_in_vietnamese(app, query):
    response = _statistics_page(app, f"/bien-tap/thong-ke?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="form-error" role="alert"' in html and "30 ngày gần nhất" in html


def test_the_article_page_shows_its_days_and_links_a_sharp_drop_to_the_check_of_that_sentence(app, make_article):
    article = make_article(body_html=BODY)
    with app.app_context():
        day = today()
        add_tallies({
            Tally(article.id, day, "play").key(): 10, Tally(article.id, day, "end").key(): 4,
            **{Tally(article.id, day, "heard", sentence).key(): listeners
               for sentence, listeners in {0: 10, 1: 10, 2: 4, 3: 4}.items()},
        })
    html = _statistics_page(app, f"/bien-tap/thong-ke/bai-viet/{article.id}").get_data(as_text=True)
    assert '<dd data-count="play">10</dd>' in html and '<dd data-count="end">4</dd>' in html
    assert html.count('<svg role="img"') == 3
    assert '<table id="nguoi-nghe-tung-cau"' in html
    rows = re.findall(r'<tr id="cau-(\d+)"( class="sharp-drop")?>.*?data-listeners>(\d+)<', html, re.S)
    assert [(int(index), bool(sharp), int(listeners)) for index, sharp, listeners in rows] == [
        (0, False, 10), (1, True, 10), (2, False, 4), (3, False, 4)]
    assert f'href="/bien-tap/bai-viet/{article.id}#cau-1"' in html
    assert "#cau-0" not in html and "#cau-2" not in html
    # The link lands on that sentence in the editor's Kiểm tra cách đọc panel.
    editor_page = _statistics_page(app, f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert 'id="cau-1"' in editor_page and "Kiểm tra cách đọc" in editor_page
    assert "Lịch tiếp dân vào thứ Năm hằng tuần." in html  # the sentence itself, beside its count
