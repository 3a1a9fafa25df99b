"""The demo portal: its stories go in through the importer, the same path as real articles (a JSON Lines file
with images beside it, sanitized, images copied into the media store, figures recorded), so the demo proves
that path; their view counts are added the way readers' views are. The photo and video libraries and the
links, which the importer does not carry, are stored directly."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import tempfile
from collections import deque
from dataclasses import dataclass
from html import escape

from sqlalchemy import func, select

from extensions import db
from models import Article, Category, Link, PhotoItem, Video
from services.content.articles import add_views
from services.content.importer import ImportReport, import_articles
from services.content.slugs import unique_slug, vietnamese_slug
from services.demo.pictures import SCENES, draw_demo_image
from services.demo.stories import (
    ANCHOR,
    AUTHORS,
    BACKGROUND,
    CATEGORIES,
    DEMO_SEED,
    KINDS,
    LINKS,
    PLACES,
    Story,
    capitalized,
    date_text,
)
from services.media.store import store_image

PICTURES_PER_SCENE = 3
PHOTO_SUBJECTS = [
    ("fields", "Ruộng bậc thang {place}", "Ruộng bậc thang ở {place} vào mùa lúa chín."),
    ("market", "Phiên chợ {place}", "Phiên chợ vùng cao ở {place} họp vào sáng Chủ nhật."),
    ("village", "Bản làng {place}", "Một góc {place} nhìn từ trên đồi."),
    ("festival", "Ngày hội ở {place}", "Trình diễn trang phục dân tộc trong ngày hội ở {place}."),
    ("school", "Điểm trường {place}", "Học sinh điểm trường {place} trong giờ ra chơi."),
    ("road", "Đường về {place}", "Thi công mở rộng đường về trung tâm {place}."),
]
VIDEOS = [("Ruộng bậc thang mùa nước đổ", "fields"), ("Lễ hội văn hóa các dân tộc", "festival"),
          ("Diễn tập khu vực phòng thủ huyện", "drill"), ("Phiên chợ vùng cao", "market")]
PICTURES_FOLDER = "anh"  # beside the import file, as an editor's export would have them


class DemoImportFailed(RuntimeError):
    """The importer refused a demo line: the demo and the importer disagree, which a test must show."""


@dataclass
class DemoReport:
    articles: int
    categories: int
    photos: int
    videos: int
    links: int


def _figure_html(picture: str, caption: str) -> str:
    return (
        f'<figure><img src="{PICTURES_FOLDER}/{picture}" alt="{escape(caption.rstrip("."))}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _distinct_story(rng: random.Random, kind, published: dt.datetime, titles: set[str], recent: deque) -> Story:
    """A story of the given kind whose title no other demo article has, in a place that neither this kind
    nor the last few articles have been to; another kind if that one is worn out."""
    for attempt in range(40):
        maker = kind if attempt < 20 else rng.choice(KINDS)
        place = rng.choice(PLACES)
        story = maker(rng, place, published)
        lately = attempt < 10 and ((maker, place) in recent or place in [seen for _, seen in list(recent)[-8:]])
        if story.title not in titles and not lately:
            recent.append((maker, place))
            return story
    story.title = f"{story.title} ({date_text(published.date())})"
    return story


def _draw_pictures(folder: str) -> dict[str, list[str]]:
    """PICTURES_PER_SCENE pictures of every scene, as JPEG files in folder: {scene: [file names]}."""
    image_rng = random.Random(DEMO_SEED + 1)
    os.makedirs(folder, exist_ok=True)
    pictures: dict[str, list[str]] = {}
    for scene in SCENES:
        for index in range(PICTURES_PER_SCENE):
            name = f"{scene}-{index + 1}.jpg"
            with open(os.path.join(folder, name), "wb") as file:
                file.write(draw_demo_image(image_rng, scene=scene))
            pictures.setdefault(scene, []).append(name)
    return pictures


def _demo_rows(article_count: int, pictures: dict[str, list[str]], progress=None):
    """The demo articles as import lines (dicts), with the views each is to have, by external id."""
    rng = random.Random(DEMO_SEED)
    used_slugs = set(db.session.execute(select(Article.slug)).scalars())
    titles = set(db.session.execute(select(Article.title)).scalars())
    start = db.session.execute(select(func.count(Article.id))).scalar_one()
    names = dict((slug, name) for name, slug in CATEGORIES)
    kinds: list = []
    recent: deque = deque(maxlen=4 * len(KINDS))
    rows, views = [], {}
    for number in range(start, start + article_count):
        published = ANCHOR - dt.timedelta(hours=9 * number + rng.randint(0, 5), minutes=rng.randint(0, 59),
                                          seconds=rng.randint(0, 59))
        if not kinds:
            # Every kind once in each run of len(KINDS) articles: a page never shows three of one kind.
            kinds = rng.sample(KINDS, k=len(KINDS))
        story = _distinct_story(rng, kinds.pop(), published, titles, recent)
        titles.add(story.title)
        slug = unique_slug(vietnamese_slug(story.title), used_slugs.__contains__)
        used_slugs.add(slug)
        paragraphs = list(story.paragraphs)
        long_article = number % 10 == 3
        if long_article:
            kept = sorted(rng.sample(range(len(BACKGROUND)), k=rng.randint(4, len(BACKGROUND))))
            paragraphs += story.extras + [BACKGROUND[index] for index in kept]
        body = [f"<p>{paragraph}</p>" for paragraph in paragraphs]
        if story.scene and number % 3 != 1:
            count = min(len(story.captions), 3 if long_article else 1)
            for index, picture in enumerate(rng.sample(pictures[story.scene], k=count)):
                # The first picture after the opening paragraph, the others spread through the text.
                body.insert(1 + index * (len(body) // count), _figure_html(picture, story.captions[index]))
            if number % 7 == 0:
                body.insert(2, "<p><em>(Ảnh trên)</em></p>")
        external_id = f"demo-{number + 1}"
        rows.append({
            "external_id": external_id, "slug": slug, "title": story.title, "summary": story.summary,
            "body_html": "\n".join(body), "published_at": published.isoformat(),
            "category": names[story.category], "author": rng.choice(AUTHORS),
        })
        views[external_id] = rng.randint(40, 4000)
        if progress is not None:
            progress(1)
    return rows, views


def _categories() -> dict[str, Category]:
    """The demo's categories in their menu order (the importer would make them, but without an order)."""
    categories = {}
    for position, (name, slug) in enumerate(CATEGORIES):
        category = db.session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
        if category is None:
            category = Category(name=name, slug=slug, position=position)
            db.session.add(category)
        categories[slug] = category
    db.session.commit()
    return categories


def seed_demo(media_root: str, article_count: int = 3500, progress=None, store=None) -> DemoReport:
    """Create the demo portal: categories, N articles (imported), the photo and video libraries and links."""
    categories = _categories()
    with tempfile.TemporaryDirectory(prefix="docbai-demo-") as folder:
        pictures = _draw_pictures(os.path.join(folder, PICTURES_FOLDER))
        rows, views = _demo_rows(article_count, pictures, progress)
        source = os.path.join(folder, "demo.jsonl")
        with open(source, "w", encoding="utf-8") as file:
            file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        report = import_articles(source, media_root, store)
    _check(report, article_count)
    ids = dict(db.session.execute(
        select(Article.external_id, Article.id).where(Article.external_id.in_(list(views)))
    ).all())
    add_views({ids[external_id]: count for external_id, count in views.items()})

    photos = videos = links = 0
    image_rng = random.Random(DEMO_SEED + 2)
    if db.session.execute(select(func.count(PhotoItem.id))).scalar_one() == 0:
        for index in range(24):
            scene, title, caption = PHOTO_SUBJECTS[index % len(PHOTO_SUBJECTS)]
            place = PLACES[index % len(PLACES)]
            stored = store_image(media_root, draw_demo_image(image_rng, 960, 640, scene), "photos", store)
            db.session.add(PhotoItem(title=capitalized(title.format(place=place)), image_path=stored.path,
                                     caption=caption.format(place=place), width=stored.width,
                                     height=stored.height, taken_at=ANCHOR - dt.timedelta(days=5 * index)))
            photos += 1
    if db.session.execute(select(func.count(Video.id))).scalar_one() == 0:
        for index, (title, scene) in enumerate(VIDEOS):
            poster = store_image(media_root, draw_demo_image(image_rng, 640, 360, scene), "videos", store)
            db.session.add(Video(title=title, poster_path=poster.path, duration_seconds=90 + 37 * index,
                                 external_url=f"https://video.example.org/dong-lam/{index + 1}",
                                 published_at=ANCHOR - dt.timedelta(days=11 * index)))
            videos += 1
    if db.session.execute(select(func.count(Link.id))).scalar_one() == 0:
        for position, (title, url) in enumerate(LINKS):
            db.session.add(Link(title=title, url=url, position=position))
            links += 1
    db.session.commit()
    return DemoReport(article_count, len(categories), photos, videos, links)


def _check(report: ImportReport, article_count: int) -> None:
    problems = report.errors + report.warnings
    if problems or report.created != article_count:
        raise DemoImportFailed(f"the importer took {report.created} of {article_count} demo articles: {problems[:3]}")
