"""The demo portal reads as real news: one event per article, dates that agree, plausible figures,
distinct titles and pictures that differ by scene."""
import datetime as dt
import io
import random
import re

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select

from extensions import db
from models import Article
from services.demo.pictures import SCENES, draw_demo_image
from services.demo.seed import seed_demo
from services.demo.stories import ANCHOR, CATEGORIES, KINDS, PLACES

DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
OPENING_DATE = re.compile(r"^(?:Ngày|Đêm) (\d{1,2})/(\d{1,2})/(\d{4})")
ZONE = ANCHOR.tzinfo


def _dates(text: str) -> list[dt.date]:
    return [dt.date(int(year), int(month), int(day)) for day, month, year in DATE.findall(text)]


# Every kind of story, on a day of every month, in the two years either side of the new council.
STORY_CASES = [(kind, dt.datetime(year, month, day, 9, 30, tzinfo=ZONE), seed)
               for kind in KINDS for seed, (year, month, day) in enumerate(
                   [(2025, month, 1 + 2 * month) for month in range(1, 13)] + [(2026, 9, 15), (2026, 2, 3)])]


@pytest.mark.parametrize("kind, published, seed", STORY_CASES,
                         ids=[f"{kind.__name__}-{published:%Y-%m-%d}" for kind, published, _ in STORY_CASES])
def test_each_story_keeps_its_dates_in_order(kind, published, seed):
    place = PLACES[seed % len(PLACES)]
    story = kind(random.Random(seed), place, published)
    assert story.category in {slug for _, slug in CATEGORIES}
    assert story.title and story.summary and len(story.paragraphs) >= 3
    assert story.scene is None or story.scene in SCENES
    assert len(story.captions) >= (1 if story.scene else 0)
    if story.category == "thong-bao":
        # A notice announces what is still to come.
        assert all(day > published.date() for day in _dates(story.title)), story.title
    else:
        for paragraph in story.paragraphs:
            opening = OPENING_DATE.match(paragraph)
            if opening:
                day = dt.date(*map(int, reversed(opening.groups())))
                # A report follows its event, by days, not months.
                assert published.date() - dt.timedelta(days=20) <= day < published.date(), paragraph


@pytest.mark.parametrize("kind", KINDS, ids=[kind.__name__ for kind in KINDS])
def test_a_story_is_about_its_own_place(kind):
    published = dt.datetime(2026, 10, 12, 9, 0, tzinfo=ZONE)
    story = kind(random.Random(7), "xã Nà Hẩu", published)
    text = " ".join([story.title, story.summary, *story.paragraphs])
    for other in PLACES:
        # The district seat is named in many stories; no other commune is.
        if other != "xã Nà Hẩu" and not other.startswith("thị trấn"):
            assert other not in text
    for caption in story.captions:
        for name in re.findall(r"(?:xã|thôn) [A-ZĐ]\w+(?: [A-ZĐ]\w+)?", caption):
            assert name in text, caption


@pytest.fixture(scope="module")
def demo(tmp_path_factory, build_app):
    """400 demo articles, newest first, seeded once for the module and read inside their app context."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        app_builder = build_app(tmp_path_factory.mktemp("demo"), monkeypatch, "sqlite")
        app = next(app_builder)
        try:
            with app.app_context():
                seed_demo(app.config["MEDIA_ROOT"], article_count=400)
                yield db.session.execute(select(Article).order_by(Article.published_at.desc())).scalars().all()
        finally:
            next(app_builder, None)  # the app's own teardown


def test_demo_titles_are_all_distinct(demo):
    titles = [article.title for article in demo]
    assert len(set(titles)) == len(titles)


def test_a_page_shows_many_kinds_of_news(demo):
    for start in range(0, len(demo) - 10, 10):
        page = demo[start:start + 10]
        assert len({article.category_id for article in page}) >= 3
        # The home page lists ten: no opening of three words comes back more than twice.
        openings = [" ".join(article.title.split()[:3]) for article in page]
        assert max(openings.count(opening) for opening in openings) <= 2, openings


def test_notices_come_before_and_reports_after_their_events(demo):
    for article in demo:
        published = article.published_at.astimezone(ZONE).date()
        if article.category.slug == "thong-bao":
            assert all(day > published for day in _dates(article.title)), article.title
        for paragraph in re.findall(r"<p>(.*?)</p>", article.body_html):
            opening = OPENING_DATE.match(paragraph)
            if opening and article.category.slug != "thong-bao":
                assert dt.date(*map(int, reversed(opening.groups()))) < published, (article.title, paragraph)


def test_poverty_rates_are_those_of_a_poor_district_and_fall(demo):
    text = " ".join(article.body_html + article.title for article in demo)
    rates = [float(rate.replace(",", ".")) for rate in re.findall(r"hộ nghèo (?:còn|giảm còn) (\d+,\d)%", text)]
    falls = re.findall(r"hộ nghèo của xã giảm từ (\d+,\d)% .*? xuống còn (\d+,\d)%", text)
    assert rates and falls
    assert all(0 < rate <= 25 for rate in rates)
    assert all(float(before.replace(",", ".")) > float(after.replace(",", ".")) for before, after in falls)


def test_figures_match_their_article(demo):
    with_figures = [article for article in demo if article.figures]
    assert len(with_figures) > len(demo) // 3
    assert len({figure.image_path for article in with_figures for figure in article.figures}) >= 2 * len(SCENES)
    for article in with_figures:
        text = " ".join([article.title, *re.findall(r"<p>(.*?)</p>", article.body_html)])
        for figure in article.figures:
            assert f"<figcaption>{figure.caption}</figcaption>" in article.body_html
            for name in re.findall(r"(?:xã|thôn) [A-ZĐ]\w+(?: [A-ZĐ]\w+)?", figure.caption):
                assert name in text, (article.title, figure.caption)


def test_the_speech_material_is_still_there(demo):
    text = " ".join(article.title + " " + article.body_html for article in demo[:60])
    for needle in ("UBND", "HĐND", "MTTQ", "BCH Quân sự", "TP.", " km", " ha ", "%", "°C", "m²", "/kg",
                   "đồng", "quý", "0216", "/QĐ-UBND", "/TB-UBND", "2021-2026", "tấn", "h30"):
        assert needle in text, needle


def _thumbnail(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB").resize((32, 21))


def test_each_scene_is_a_different_picture():
    thumbnails = {scene: _thumbnail(draw_demo_image(random.Random(3), scene=scene)) for scene in SCENES}
    scenes = list(thumbnails)
    for index, first in enumerate(scenes):
        for second in scenes[index + 1:]:
            difference = ImageStat.Stat(ImageChops.difference(thumbnails[first], thumbnails[second])).mean
            assert sum(difference) / 3 > 12, (first, second)


def test_the_demo_goes_in_through_the_importer(demo):
    from services.content.sanitize import sanitize_body
    from services.media.store import MEDIA_URL_PATH

    assert all(article.external_id and article.external_id.startswith("demo-") for article in demo)
    with_figures = [article for article in demo if article.figures]
    assert with_figures
    for article in demo:
        assert sanitize_body(article.body_html) == article.body_html  # what the importer stored, sanitized
        sources = re.findall(r'<img [^>]*src="([^"]+)"', article.body_html)
        assert [figure.image_path for figure in article.figures] == [src.removeprefix(MEDIA_URL_PATH) for src in sources]
        assert all(src.startswith(MEDIA_URL_PATH) for src in sources)
        # The importer recorded each picture's size, read from the file, and its caption.
        assert all(figure.width == 800 and figure.height == 533 and figure.caption for figure in article.figures)
    assert len({article.views for article in demo}) > 100  # views added afterwards, as readers' views are


def test_a_demo_line_the_importer_refuses_stops_the_seed(app, monkeypatch):
    from services.demo import seed

    real_rows = seed._demo_rows

    def with_a_bad_date(*args, **kwargs):
        rows, views = real_rows(*args, **kwargs)
        rows[0]["published_at"] = "hôm qua"
        return rows, views

    monkeypatch.setattr(seed, "_demo_rows", with_a_bad_date)
    with app.app_context(), pytest.raises(seed.DemoImportFailed, match="1 of 2|giá trị|ISO"):
        seed.seed_demo(app.config["MEDIA_ROOT"], article_count=2)
