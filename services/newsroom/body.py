"""An article body as the newsroom saves it: sanitized like an import, figures read off it, images without
alt text named so the form can say which."""
from __future__ import annotations

import os
from dataclasses import dataclass


from models import clean_text
from services.content.html_fragments import parse_fragment, serialize_fragment
from services.content.sanitize import sanitize_body
from services.media.store import MEDIA_URL_PATH


@dataclass(frozen=True)
class BodyImage:
    """An image of the body, in order: where it is stored, its alt text and caption, its size."""

    number: int  # 1-based, as the form names it ("Ảnh 2")
    path: str  # relative to the media root
    alt: str
    caption: str
    width: int
    height: int

    @property
    def name(self) -> str:
        """The stored file's name, to tell images apart in a message."""
        return self.path.rsplit("/", 1)[-1]


def prepare_body(html: str, media_root: str) -> str:
    """The body to store: through the importer's sanitizer, with every image that is not in the media store
    (or whose file is gone) dropped, and each kept image's width and height written from its file."""
    root = parse_fragment(sanitize_body(clean_text(html or "")))
    for image in list(root.iter("img")):
        path = _stored_path(image.get("src"))
        size = _image_size(media_root, path) if path else None
        if size is None:
            _drop_image(image)
            continue
        image.set("width", str(size[0]))
        image.set("height", str(size[1]))
        image.set("alt", " ".join((image.get("alt") or "").split()))
    # A figure left without its image (dropped above, or deleted in the editor) is only its caption: gone too.
    for figure in list(root.iter("figure")):
        if not list(figure.iter("img")):
            figure.drop_tree()
    return serialize_fragment(root).strip()


def body_images(body_html: str) -> list[BodyImage]:
    """The stored images of a body in order, each with its alt text and its figure's caption."""
    images = []
    if not (body_html or "").strip():
        return images
    root = parse_fragment(body_html)
    for image in root.iter("img"):
        path = _stored_path(image.get("src"))
        if path is None:
            continue
        figure = next((ancestor for ancestor in image.iterancestors() if ancestor.tag == "figure"), None)
        caption_element = figure.find(".//figcaption") if figure is not None else None
        caption = " ".join(caption_element.text_content().split()) if caption_element is not None else ""
        images.append(BodyImage(
            number=len(images) + 1, path=path, alt=" ".join((image.get("alt") or "").split()), caption=caption,
            width=_number(image.get("width")), height=_number(image.get("height")),
        ))
    return images


def figure_rows(body_html: str) -> list[dict]:
    """The Figure rows of a body, as the importer records them (image, alt, caption, size)."""
    return [
        {"image_path": image.path, "alt": image.alt[:500], "caption": image.caption,
         "width": image.width, "height": image.height}
        for image in body_images(body_html)
    ]


def images_without_alt(body_html: str) -> list[BodyImage]:
    """The images a reader who cannot see them would know nothing of: no alt text."""
    return [image for image in body_images(body_html) if not image.alt]


def missing_alt_message(missing: list[BodyImage]) -> str:
    """What the form says when images lack alt text: which ones, by number and file name."""
    names = ", ".join(f"ảnh {image.number} ({image.name})" for image in missing)
    return (f"Chưa đăng được: {names} chưa có mô tả ảnh (alt). Mô tả ảnh giúp người khiếm thị nghe được "
            "nội dung của ảnh; hãy nhập mô tả rồi đăng lại.")


def _stored_path(src: str | None) -> str | None:
    if not src or not src.startswith(MEDIA_URL_PATH):
        return None
    path = src[len(MEDIA_URL_PATH):]
    if not path or ".." in path.split("/") or path.startswith("/"):
        return None
    return path


def _image_size(media_root: str, path: str) -> tuple[int, int] | None:
    from PIL import Image
    from PIL import UnidentifiedImageError

    try:
        with Image.open(os.path.join(media_root, path)) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None


def _drop_image(image) -> None:
    parent = image.getparent()
    if parent is not None and parent.tag == "a" and not (parent.text or "").strip() and len(parent) == 1:
        image = parent
    image.drop_tree()


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
