"""Body HTML rebuilt from an lxml tree: quoted markup in the leading text stays text everywhere a body is shown."""
import json

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sqlalchemy import select

from extensions import db
from models import Article
from services.content.article_body import body_for_display
from services.speech.spoken_text import annotate_speakable
from services.content.html_fragments import parse_fragment, serialize_fragment
from services.media.images import image_placeholder, responsive_body_images
from services.content.importer import import_articles
from services.printing.print_body import printable_body

# Leading text (before the first element) that shows markup as text: lxml hands it back unescaped.
QUOTED_MARKUP_BODIES = [
    "Ảnh: &lt;img src=x onerror=alert(1)&gt;<p>x</p>",
    "&lt;script&gt;alert(1)&lt;/script&gt;<p>Đoạn một.</p>",
    ('Xem &lt;img src=x onerror=alert(1)&gt;<figure><img src="/media/figures/khong-co.jpg" alt="Ảnh" '
     'width="120" height="80"></figure>'),
]
NORMAL_BODIES = [
    "<p>Ngày 16/11/2023, UBND huyện họp.</p><p>Đoạn <strong>hai</strong> &amp; ba.</p>",
    "Lời dẫn không có thẻ<p>Rồi một đoạn.</p>",
    "A &amp; B &lt; C<ul><li>Một</li><li>Hai</li></ul>",
    ('<figure><img src="/media/figures/a.jpg" alt="Hội nghị" width="120" height="80">'
     "<figcaption>Quang cảnh.</figcaption></figure>"),
]


def _live_markup(html: str) -> list[str]:
    """What in the HTML would run: script elements and on* attributes."""
    soup = BeautifulSoup(html, "html.parser")
    found = [f"<script>{tag.string}" for tag in soup.find_all("script") if "alert" in (tag.string or "")]
    found += [f"{tag.name} {name}" for tag in soup.find_all(True) for name in tag.attrs if name.startswith("on")]
    return found


@pytest.mark.parametrize("body", QUOTED_MARKUP_BODIES + NORMAL_BODIES)
def test_fragment_round_trips_unchanged(body):
    assert serialize_fragment(parse_fragment(body)) == body


@pytest.mark.parametrize("body", QUOTED_MARKUP_BODIES)
@pytest.mark.parametrize("rewrite", [
    annotate_speakable,
    lambda body: body_for_display("hash-" + body, body),
    lambda body: printable_body(body, "http://127.0.0.1:5000/bai-viet/x").html,
    lambda body: responsive_body_images(body, "/nonexistent-media", False),
    lambda body: responsive_body_images(body, "/nonexistent-media", True),
], ids=["annotate_speakable", "body_for_display", "printable_body", "images", "images_saving_data"])
def test_every_body_rewrite_keeps_quoted_markup_as_text(body, rewrite):
    html = rewrite(body)
    assert not _live_markup(html), html
    assert "&lt;" in html


@pytest.mark.parametrize("body", QUOTED_MARKUP_BODIES)
@pytest.mark.parametrize("path, headers", [
    ("/bai-viet/{slug}", {}),
    ("/bai-viet/{slug}", {"Save-Data": "on"}),
    ("/bai-viet/{slug}/in", {}),
], ids=["article", "article_saving_data", "print"])
def test_pages_show_quoted_markup_as_text(client, make_article, body, path, headers):
    article = make_article(body_html=body)
    response = client.get(path.format(slug=article.slug), headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not _live_markup(html)
    assert "&lt;" in html


@pytest.mark.parametrize("body", QUOTED_MARKUP_BODIES)
def test_import_keeps_quoted_markup_as_text(app, tmp_path, body):
    row = {"title": "Bài có lời dẫn", "body_html": body, "published_at": "2023-11-16T14:14:00+07:00",
           "category": "Tin tức", "author": "Minh Anh"}
    path = tmp_path / "bai.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with app.app_context():
        report = import_articles(str(path), app.config["MEDIA_ROOT"])
        assert report.errors == []
        stored = db.session.execute(select(Article)).scalar_one().body_html
    assert not _live_markup(stored)
    assert "&lt;" in stored


def _image_outside_media(tmp_path):
    media_root = tmp_path / "media"
    media_root.mkdir()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(tmp_path / "bi-mat.jpg", "JPEG")
    return str(media_root)


def test_image_paths_climbing_out_of_media_count_as_missing(tmp_path):
    media_root = _image_outside_media(tmp_path)
    body = '<p>Ảnh.</p><img src="/media/../bi-mat.jpg" alt="Bí mật">'
    # A file outside the media root would give its width (a srcset) or its size (the placeholder's label).
    assert responsive_body_images(body, media_root, False) == body
    assert ">Tải ảnh<" in responsive_body_images(body, media_root, True)
    assert image_placeholder(media_root, "../bi-mat.jpg", 0).label == ""
    assert image_placeholder(media_root, "../media/../bi-mat.jpg", 0).label == ""
    assert image_placeholder(media_root, str(tmp_path / "bi-mat.jpg"), 0).label == ""
    # The same file inside the media root is found.
    (tmp_path / "bi-mat.jpg").rename(tmp_path / "media" / "bi-mat.jpg")
    assert image_placeholder(media_root, "bi-mat.jpg", 0).label.endswith("KB")


# Every void element, in a place where HTML allows it, followed by text that must stay outside it.
VOID_ELEMENT_BODIES = {
    "area": '<map name="m"><area shape="rect" coords="0,0,10,10" href="/a" alt="Một">sau</map>',
    "base": '<div><base href="/">sau</div>',
    "br": "<p>Dòng một<br>dòng hai</p>",
    "col": '<table><colgroup><col span="2"></colgroup><tr><td>1</td><td>2</td></tr></table>',
    "embed": '<p><embed src="/media/a.svg" type="image/svg+xml">sau</p>',
    "hr": "<div>trước<hr>sau</div>",
    "img": '<p><img src="/media/a.jpg" alt="Ảnh">sau</p>',
    "input": '<p><input type="text" name="q">sau</p>',
    "link": '<div><link rel="help" href="/tro-giup">sau</div>',
    "meta": '<div><meta name="a" content="b">sau</div>',
    "param": '<object data="/media/a.svg"><param name="a" value="b">sau</object>',
    "source": ('<picture><source type="image/webp" srcset="/media/a.webp 480w">'
               '<img src="/media/a.jpg" alt="Ảnh"></picture>'),
    "track": ('<video controls=""><source src="/media/a.mp4" type="video/mp4">'
              '<track kind="captions" src="/media/a.vtt" srclang="vi">sau</video>'),
    "wbr": "<p>Ủy<wbr>ban<wbr>nhân dân</p>",
}


@pytest.mark.parametrize("tag, body", VOID_ELEMENT_BODIES.items(), ids=VOID_ELEMENT_BODIES.keys())
def test_void_elements_have_no_end_tag_and_no_content(tag, body):
    root = parse_fragment(body)
    voids = root.findall(f".//{tag}")
    assert voids, body
    # What follows a void element is its sibling, as in a browser, so a rewrite sees the real tree.
    assert all(len(void) == 0 and not void.text for void in voids)
    html = serialize_fragment(root)
    assert f"</{tag}>" not in html
    assert html == body


@pytest.mark.parametrize("stored, expected", [
    ('<picture><source srcset="/media/a.webp"></source><img src="/media/a.jpg" alt=""></picture>',
     '<picture><source srcset="/media/a.webp"><img src="/media/a.jpg" alt=""></picture>'),
    ("<p>Ủy<wbr></wbr>ban</p>", "<p>Ủy<wbr>ban</p>"),
    ("<p>a<br/>b<wbr/>c</p>", "<p>a<br>b<wbr>c</p>"),
], ids=["source_closed", "wbr_closed", "self_closing"])
def test_bodies_stored_with_closed_void_elements_come_back_valid(stored, expected):
    assert serialize_fragment(parse_fragment(stored)) == expected


def test_responsive_images_write_source_without_an_end_tag(tmp_path):
    media_root = tmp_path / "media"
    (media_root / "figures").mkdir(parents=True)
    Image.new("RGB", (1200, 800), (200, 120, 40)).save(media_root / "figures" / "a.jpg", "JPEG")
    body = '<figure><img src="/media/figures/a.jpg" alt="Ảnh" width="1200" height="800"></figure><p>Sau ảnh.</p>'
    html = responsive_body_images(body, str(media_root), False)
    assert "<source " in html and "</source>" not in html
    root = parse_fragment(html)
    assert root.find(".//picture/img") is not None and root.find(".//source/img") is None
