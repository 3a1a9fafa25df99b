"""Search: Vietnamese folding, safe queries, ranking and the index kept current, on SQLite and PostgreSQL."""
import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import delete, text, update

from extensions import db
from models import Article
from services.content.importer import import_articles
from services.infra.schema import create_schema
from services.search.index import search_articles
from services.search.text import (
    MAX_QUERY_LENGTH,
    fold,
    fts5_match_expression,
    highlight,
    html_to_text,
    parse_query,
    snippet,
)


def _found(app, words):
    with app.app_context():
        statement = search_articles(parse_query(words))
        return [article.slug for article in db.session.execute(statement).scalars()]


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Mù Cang Chải", "mu cang chai"),
        ("ĐỒNG LÂM", "dong lam"),
        ("Quốc phòng", "quoc phong"),
        ("Ưu tiên ở Ơn", "uu tien o on"),
        ("mu cang chai", "mu cang chai"),
        ("Mu\u0300 Cang", "mu cang"),  # decomposed input (NFD) folds the same
    ],
)
def test_fold_removes_case_and_diacritics_and_reads_d_for_đ(typed, folded):
    assert fold(typed) == folded


def test_fold_keeps_one_character_for_each_character():
    text = "Đồng bào Hmông ở Mù Cang Chải đón Tết — 2024"
    assert len(fold(text)) == len(text)


def test_html_to_text_keeps_blocks_apart_and_drops_tags():
    html = '<p>Một</p><p>hai <strong>ba</strong></p><figure><img src="/media/x.png" alt="ảnh"><figcaption>Chú thích</figcaption></figure>'
    assert html_to_text(html) == "Một hai ba Chú thích"


@pytest.mark.parametrize(
    ("raw", "words", "was_cut"),
    [
        ("", (), False),
        (None, (), False),
        ("   ", (), False),
        ('"', (), False),
        ('"mu cang', ("mu", "cang"), False),
        ("mu* NEAR(cang chai)", ("mu", "NEAR", "cang", "chai"), False),
        ("-quoc +phong", ("quoc", "phong"), False),
        ("title:lúa ^ngô", ("title", "lúa", "ngô"), False),
        ("lúa AND ngô OR NOT quế", ("lúa", "AND", "ngô", "OR", "NOT", "quế"), False),
        ("lúa lua LÚA", ("lúa",), False),
        ("a" * 250, ("a" * MAX_QUERY_LENGTH,), True),
        (" ".join(f"w{i}" for i in range(20)), tuple(f"w{i}" for i in range(12)), True),
        ("<script>alert(1)</script>", ("script", "alert", "1"), False),
    ],
)
def test_parse_query_keeps_only_words(raw, words, was_cut):
    query = parse_query(raw)
    assert query.words == words
    assert query.was_cut == was_cut
    assert len(query.text) <= MAX_QUERY_LENGTH


def test_fts5_expression_quotes_every_word_and_adds_the_phrase():
    assert fts5_match_expression(parse_query("Quốc phòng")) == '"quoc phong" OR ("quoc" AND "phong")'
    assert fts5_match_expression(parse_query('NEAR"')) == '"near"'


def test_highlight_marks_words_and_escapes_everything_else():
    query = parse_query("dong lam")
    marked = highlight('<b>Đồng</b> Lâm & "Đông"', query)
    assert str(marked) == "&lt;b&gt;<mark>Đồng</mark>&lt;/b&gt; <mark>Lâm</mark> &amp; &#34;<mark>Đông</mark>&#34;"


def test_snippet_shows_the_passage_with_the_words():
    words = ["chữ"] * 60 + ["Mù", "Cang", "Chải"] + ["chữ"] * 60
    passage = str(snippet(" ".join(words), parse_query("mu cang chai"), length=20))
    assert passage.startswith("… ") and passage.endswith(" …")
    assert "<mark>Mù</mark> <mark>Cang</mark> <mark>Chải</mark>" in passage
    assert len(passage.split()) < 30


def test_snippet_without_a_match_is_the_start_of_the_text():
    assert str(snippet("Một hai ba bốn", parse_query("xyz"), length=2)) == "Một hai …"


@pytest.fixture
def places(make_article):
    """Articles written with and without diacritics, and one about d rather than đ."""
    return {
        "accented": make_article(title="Mù Cang Chải đón khách du lịch", slug="mu-cang-chai"),
        "plain": make_article(title="Tin vùng cao", slug="khong-dau",
                              body_html="<p>Du khach den mu cang chai mua lua chin.</p>"),
        "dong": make_article(title="Thị trấn Đồng Lâm mở hội", slug="dong-lam"),
        "dong_plain": make_article(title="Hội chợ", slug="hoi-cho", summary="Dong vui tai cho phien."),
        "other": make_article(title="Họp HĐND huyện", slug="hop-hdnd"),
    }


@pytest.mark.parametrize("typed", ["mu cang chai", "Mù Cang Chải", "MÙ CANG CHẢI", "mù cang chải"])
def test_diacritics_and_case_do_not_matter_either_way(db_app, places, typed):
    assert set(_found(db_app, typed)) == {"mu-cang-chai", "khong-dau"}


@pytest.mark.parametrize(("typed", "expected"), [
    ("dong lam", {"dong-lam"}),
    ("Đồng Lâm", {"dong-lam"}),
    ("đong", {"dong-lam", "hoi-cho"}),
    ("Dong", {"dong-lam", "hoi-cho"}),
])
def test_đ_and_d_find_each_other(db_app, places, typed, expected):
    assert set(_found(db_app, typed)) == expected


def test_a_title_match_ranks_first(db_app, make_article):
    body_heavy = make_article(
        title="Tổng kết năm", slug="than-bai",
        body_html="<p>" + " ".join(["Công tác quốc phòng được bảo đảm."] * 8) + "</p>",
        published_at=dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
    )
    titled = make_article(
        title="Ban CHQS tổng kết công tác quốc phòng", slug="tieu-de",
        published_at=dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc),
    )
    scattered = make_article(title="Ông Trần Quốc Bảo thăm xã Tân Phong", slug="rai-rac")
    found = _found(db_app, "quoc phong")
    assert found[0] == titled.slug
    assert set(found) == {titled.slug, body_heavy.slug, scattered.slug}
    # The words side by side count for more than the same words apart.
    assert found.index(body_heavy.slug) < found.index(scattered.slug)


def test_words_in_the_summary_and_body_are_found_but_not_markup(db_app, make_article):
    make_article(slug="tom-tat", summary="Giá chè shan tuyết tăng.")
    make_article(slug="than-bai", body_html='<p>Trồng <strong>thảo quả</strong> dưới tán rừng.</p>')
    assert _found(db_app, "che shan tuyet") == ["tom-tat"]
    assert _found(db_app, "thao qua") == ["than-bai"]
    assert _found(db_app, "strong") == []


def test_only_published_articles_are_found(db_app, make_article):
    make_article(title="Lúa nước vụ mùa", slug="da-dang")
    make_article(title="Lúa nước bản nháp", slug="ban-nhap", status="draft")
    make_article(title="Lúa nước hẹn giờ", slug="hen-gio",
                 published_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    assert _found(db_app, "lua nuoc") == ["da-dang"]


def test_the_index_follows_edits_and_deletions(db_app, make_article):
    article = make_article(title="Khai giảng năm học mới", slug="khai-giang")
    with db_app.app_context():
        edited = db.session.get(Article, article.id)
        edited.title = "Bế giảng năm học"
        db.session.commit()
    assert _found(db_app, "khai giang") == []
    assert _found(db_app, "be giang") == ["khai-giang"]
    with db_app.app_context():
        # A view count is not an edit, and must not disturb the index.
        db.session.execute(update(Article).where(Article.id == article.id).values(views=Article.views + 1))
        db.session.execute(update(Article).where(Article.id == article.id).values(summary="Trường Púng Luông"))
        db.session.commit()
    assert _found(db_app, "pung luong") == ["khai-giang"]
    with db_app.app_context():
        db.session.execute(delete(Article).where(Article.id == article.id))
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM article_search")).scalar_one() == 0
    assert _found(db_app, "be giang") == []


def test_imported_articles_are_searchable_and_reimport_updates_them(db_app, tmp_path):
    row = {"external_id": "42", "title": "Hợp tác xã quế Khau Phạ", "body_html": "<p>Quế hữu cơ.</p>",
           "published_at": "2024-03-01T08:00:00+07:00", "category": "Kinh tế", "author": "Thu Hà"}
    source = tmp_path / "articles.jsonl"
    source.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with db_app.app_context():
        assert import_articles(str(source), db_app.config["MEDIA_ROOT"]).created == 1
    assert len(_found(db_app, "khau pha")) == 1
    row["body_html"] = "<p>Quế và thảo quả hữu cơ.</p>"
    source.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with db_app.app_context():
        assert import_articles(str(source), db_app.config["MEDIA_ROOT"]).updated == 1
    assert len(_found(db_app, "thao qua")) == 1


def test_create_schema_fills_a_missing_or_stale_index(db_app, make_article):
    make_article(title="Nông thôn mới Hồ Bốn", slug="ho-bon")
    with db_app.app_context():
        db.session.execute(text("DELETE FROM article_search"))
        db.session.commit()
    assert _found(db_app, "ho bon") == []
    with db_app.app_context():
        create_schema()
    assert _found(db_app, "ho bon") == ["ho-bon"]


def test_the_reindex_command_rebuilds_the_index(app, make_article, runner):
    make_article(title="Đường liên thôn Kim Nọi", slug="kim-noi")
    with app.app_context():
        db.session.execute(text("DELETE FROM article_search"))
        db.session.commit()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 bài viết" in result.output
    assert _found(app, "kim noi") == ["kim-noi"]


# A NUL anywhere in a request is refused with a 400 before any view runs (tests/test_bad_input.py).
HOSTILE_QUERIES = [
    "", " ", '"', '""', "'", "*", "-", "^", ":", "(", ")", "()", "NEAR", "NEAR(", "NEAR/2", "AND", "OR", "NOT",
    'mu"cang', "mu*", "-mu", "title:mu", "^mu", "mu AND", "OR mu", "(mu", "mu)", "{title}: mu",
    "mu NEAR/3 cang", "\\", "%", "_", "%_%", "'; DROP TABLE articles; --", "a" * 201, "mù " * 120,
    "\u200b", "🙂", "<script>alert(1)</script>", "&amp;", "ĐĐĐ", "1e99999", "*" * 300,
]


@pytest.mark.parametrize("raw", HOSTILE_QUERIES)
def test_hostile_queries_never_fail(db_app, places, raw):
    response = db_app.test_client().get("/tim-kiem", query_string={"q": raw})
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert len(page.find_all("h1")) == 1
    assert "<script>alert" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("raw", "expected"), [
    ('"mu cang chai"', {"mu-cang-chai", "khong-dau"}),
    ("mu* NEAR(cang)", set()),  # "near" is a word nobody wrote
    ("-Đồng +Lâm", {"dong-lam"}),
    ("a" * 250, set()),
])
def test_operators_are_read_as_words(db_app, places, raw, expected):
    assert set(_found(db_app, raw)) == expected


def test_the_search_page_has_one_heading_and_a_labelled_field(client, places):
    response = client.get("/tim-kiem", query_string={"q": "mu cang chai"})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [h1.get_text() for h1 in page.find_all("h1")] == ["Tìm kiếm"]
    field = page.find("input", attrs={"name": "q", "id": "tu-khoa"})
    assert field["value"] == "mu cang chai"
    assert page.find("label", attrs={"for": "tu-khoa"})
    form = field.find_parent("form")
    assert form["action"] == "/tim-kiem" and form["method"] == "get"
    assert page.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    # The header's own search form is not repeated on the search page.
    assert not page.find("input", attrs={"id": "tim-nhanh"})


def test_results_are_highlighted_and_link_to_the_articles(client, places):
    html = client.get("/tim-kiem?q=mu+cang+chai").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    titles = [h2.get_text() for h2 in page.select(".search-hits h2")]
    assert titles[0] == "Mù Cang Chải đón khách du lịch"
    assert "<mark>Mù</mark> <mark>Cang</mark> <mark>Chải</mark>" in html
    assert "<mark>mu</mark> <mark>cang</mark> <mark>chai</mark>" in html
    assert page.select_one(".search-hits a")["href"] == "/bai-viet/mu-cang-chai"


def test_untrusted_text_in_results_is_escaped(client, make_article):
    make_article(title='Lễ hội <img src=x onerror="alert(1)"> Mồ Dề', slug="le-hoi")
    html = client.get("/tim-kiem?q=mo+de").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_empty_and_wordless_queries_explain_what_to_do(client):
    assert "Hãy gõ từ cần tìm" in client.get("/tim-kiem").get_data(as_text=True)
    assert "Không có chữ nào để tìm" in client.get("/tim-kiem?q=***").get_data(as_text=True)
    assert "Không tìm thấy bài nào" in client.get("/tim-kiem?q=xyzzy").get_data(as_text=True)
    assert "chỉ tìm theo" in client.get("/tim-kiem", query_string={"q": "lúa " + "x" * 300}).get_data(as_text=True)


@pytest.fixture
def many_matches(app, make_article):
    for number in range(25):
        make_article(title=f"Giao quân năm 2024 đợt {number}", slug=f"giao-quan-{number}")
    return app


def test_search_pagination_gives_htmx_a_fragment_and_others_a_page(client, many_matches):
    fragment = client.get("/tim-kiem?q=giao+quan&trang=2", headers={"HX-Request": "true"})
    page = client.get("/tim-kiem?q=giao+quan&trang=2")
    restore = client.get("/tim-kiem?q=giao+quan&trang=2",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    for response in (fragment, page, restore):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]
    fragment_html = fragment.get_data(as_text=True)
    assert "<html" not in fragment_html
    # Like every paged list, the page and the fragment htmx swaps in both say which page they show.
    assert fragment_html.lstrip().startswith("<title>Tìm “giao quan” — Trang 2 — ")
    assert "<title>Tìm “giao quan” — Trang 2 — " in page.get_data(as_text=True)
    assert '<section id="ket-qua-tim-kiem"' in fragment_html
    assert 'data-hx-swap-oob="innerHTML"' in fragment_html
    assert "<html" in page.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)
    assert "Kết quả 11-20 / 25" in fragment_html


def test_search_pager_links_are_real_hrefs_that_keep_the_query(client, many_matches):
    page = BeautifulSoup(client.get("/tim-kiem?q=giao+quan").get_data(as_text=True), "html.parser")
    pager = page.select_one("#ket-qua-tim-kiem nav.pager")
    assert pager["data-hx-target"] == "#ket-qua-tim-kiem" and pager["data-hx-push-url"] == "true"
    next_link = pager.select_one('a[rel="next"]')
    assert next_link["href"] == next_link["data-hx-get"] == "/tim-kiem?trang=2&q=giao+quan"
    # The pushed URL gives the whole page when loaded directly.
    assert "<html" in client.get(next_link["href"]).get_data(as_text=True)


@pytest.mark.parametrize("raw, shown", [("0", "1-10"), ("-1", "1-10"), ("abc", "1-10"), ("99999999999999", "21-25")])
def test_bad_page_numbers_in_search_show_the_first_or_the_last_page(client, many_matches, raw, shown):
    html = client.get("/tim-kiem", query_string={"q": "giao quan", "trang": raw}).get_data(as_text=True)
    assert f"Kết quả {shown} / 25" in html


def test_the_search_form_works_without_javascript_from_every_page(client, make_article):
    article = make_article()
    for path in ("/", f"/bai-viet/{article.slug}", "/khong-co-trang-nay"):
        page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        form = page.find("form", attrs={"role": "search"})
        assert form["action"] == "/tim-kiem" and form["method"] == "get"
        field = form.find("input", attrs={"name": "q"})
        assert page.find("label", attrs={"for": field["id"]})


def test_search_works_on_every_engine_through_the_view(db_app, places):
    html = db_app.test_client().get("/tim-kiem?q=dong+lam").get_data(as_text=True)
    assert "<mark>Đồng</mark> <mark>Lâm</mark>" in html
    assert "Kết quả 1-1 / 1" in html

