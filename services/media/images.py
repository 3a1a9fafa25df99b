"""Resized copies of stored images: a few widths, WebP with a JPEG (or PNG) fallback, made once on disk.

A variant lives at `<media root>/_sizes/<width>/<source path>.<format>` and is served from the same path
under the media URL path, so its URL, its file and its source can all be read off each other. Variants are made on
first request and kept; a second request, or another worker, finds the file. Two workers racing on the
same variant both write a temporary file and rename it into place, so the loser's work is wasted but no
reader ever sees half an image — cheaper than a lock for a job that takes milliseconds.
"""
from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import lxml.html
from werkzeug.security import safe_join

from services.content.html_fragments import parse_fragment, serialize_fragment
from services.media.store import MEDIA_URL_PATH, NotAnImage, media_url, write_atomically

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported by the functions that draw or read images, not with this module: a page needs none of it.

VARIANTS_FOLDER = "_sizes"
VARIANT_WIDTHS = (160, 320, 480, 800, 1200)
# Formats a browser gets: WebP first, then the fallback that keeps the source's transparency or not.
RESIZABLE_SOURCES = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "jpg"}
VARIANT_FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
# The width a phone on a slow link needs for a full-width image (360 px at about 1.3 device pixels).
PHONE_WIDTH = 480


@dataclass(frozen=True)
class ImageSources:
    """What a <picture> needs: a WebP srcset, a fallback srcset and the fallback src."""

    webp_srcset: str
    fallback_srcset: str
    src: str


@dataclass(frozen=True)
class Variant:
    source: str  # path of the original, relative to the media root
    width: int
    format: str  # "webp", "jpg" or "png"

    @property
    def path(self) -> str:
        """Where the variant lives, relative to the media root (and under MEDIA_URL_PATH in URLs)."""
        return f"{VARIANTS_FOLDER}/{self.width}/{self.source}.{self.format}"

    @property
    def media_type(self) -> str:
        """The variant's Content-Type."""
        return VARIANT_FORMATS[self.format][1]


def _extension(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path else ""


def is_resizable(source: str) -> bool:
    """Whether variants can be made of this stored file (GIFs may be animated and are left alone)."""
    return _extension(source) in RESIZABLE_SOURCES and not source.startswith(VARIANTS_FOLDER + "/")


def fallback_format(source: str) -> str:
    """The non-WebP format of a source's variants: PNG keeps transparency, everything else is JPEG."""
    return RESIZABLE_SOURCES[_extension(source)]


def variant_widths(source_width: int) -> tuple[int, ...]:
    """The standard widths smaller than the source; an image is never enlarged."""
    return tuple(width for width in VARIANT_WIDTHS if width < source_width)


def parse_variant(width: int, name: str) -> Variant | None:
    """The variant a URL asks for (`<source path>.<format>` at a width), or None if it is not one we make."""
    source, _, variant_format = name.rpartition(".")
    if variant_format not in VARIANT_FORMATS or not is_resizable(source) or ".." in source.split("/"):
        return None
    if variant_format != "webp" and variant_format != fallback_format(source):
        return None
    return Variant(source, width, variant_format)


@lru_cache(maxsize=4096)
def image_sources(source: str, width: int, largest: int | None = None) -> ImageSources | None:
    """The srcsets of a stored image `width` pixels wide; None if it cannot be resized.

    `largest` caps the widths offered (a thumbnail never needs the big copies); the fallback src is then
    the largest capped copy rather than the original.
    """
    if not is_resizable(source) or not width or width <= 0:
        return None
    widths = variant_widths(width)
    fallback = fallback_format(source)
    capped = tuple(w for w in widths if w <= largest) if largest is not None and largest < width else ()
    if capped:
        widths = capped
        webp = [(media_url(Variant(source, w, "webp").path), w) for w in widths]
        jpeg = [(media_url(Variant(source, w, fallback).path), w) for w in widths]
        src = jpeg[-1][0]
    else:
        webp = [(media_url(Variant(source, w, "webp").path), w) for w in widths + (width,)]
        jpeg = [(media_url(Variant(source, w, fallback).path), w) for w in widths] + [(media_url(source), width)]
        src = media_url(source)
    return ImageSources(
        webp_srcset=", ".join(f"{url} {w}w" for url, w in webp),
        fallback_srcset=", ".join(f"{url} {w}w" for url, w in jpeg),
        src=src,
    )


def phone_variant(source: str, width: int) -> Variant:
    """The WebP a phone would load for this image: the data saver's "Tải ảnh" link points at it."""
    return Variant(source, min(PHONE_WIDTH, width), "webp")


def _allowed_widths(variant: Variant, source_width: int) -> bool:
    # The source's own width is allowed too: that is the full-size WebP.
    return variant.width == source_width or variant.width in variant_widths(source_width)


def _render(source_path: str, variant: Variant) -> bytes:
    from PIL import Image
    from PIL import ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source_path) as image:
            if not _allowed_widths(variant, image.width):
                raise NotAnImage("kích thước ảnh không được hỗ trợ")
            # JPEG can decode straight at a fraction of its size, which makes a small thumbnail fast.
            image.draft("RGB", (variant.width, variant.width))
            image = ImageOps.exif_transpose(image)
            height = max(1, round(image.height * variant.width / image.width))
            if variant.width < image.width:
                image = image.resize((variant.width, height), Image.Resampling.LANCZOS)
            pillow_format = VARIANT_FORMATS[variant.format][0]
            if pillow_format == "JPEG":
                image = _flattened(image)
            elif image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            output = io.BytesIO()
            if pillow_format == "WEBP":
                image.save(output, "WEBP", quality=72, method=4)
            elif pillow_format == "JPEG":
                image.save(output, "JPEG", quality=78, optimize=True, progressive=True)
            else:
                image.save(output, "PNG", optimize=True)
            return output.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    from PIL import Image

    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def ensure_variant(media_root: str, variant: Variant) -> str:
    """The variant's file on disk, made from its source first if need be.

    Raises FileNotFoundError when the source is missing and NotAnImage when it cannot be resized.
    """
    from PIL import Image
    from PIL import UnidentifiedImageError

    root = os.path.realpath(media_root)
    target = os.path.realpath(os.path.join(root, variant.path))
    source_path = os.path.realpath(os.path.join(root, variant.source))
    if not (target.startswith(root + os.sep) and source_path.startswith(root + os.sep)):
        raise FileNotFoundError(variant.path)
    if os.path.isfile(target):
        return target
    if not os.path.isfile(source_path):
        raise FileNotFoundError(variant.source)
    try:
        data = _render(source_path, variant)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as error:
        if isinstance(error, NotAnImage):
            raise
        raise NotAnImage(str(error)) from error
    write_atomically(target, data)
    return target


def variant_size(media_root: str, variant: Variant) -> int | None:
    """The size in bytes of a variant already made, or None: rendering a page never writes image files."""
    path = _media_file(media_root, variant.path)
    try:
        return os.path.getsize(path) if path else None
    except OSError:
        return None


def size_label(size: int) -> str:
    """A file size as a Vietnamese reader expects it: "45 KB", "1,2 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class Placeholder:
    """A data saver's stand-in for an image: where the image is and how much it costs."""

    url: str
    label: str  # "45 KB", or "" when the size cannot be known


def image_placeholder(media_root: str, source: str, width: int) -> Placeholder:
    """The link and size a data saver shows instead of an image: the variant a phone would load, with its
    size once its first request has made it (until then the stored image's size, an upper bound)."""
    path = _media_file(media_root, source)
    try:
        source_size = os.path.getsize(path) if path else None
    except OSError:
        source_size = None
    if is_resizable(source) and width and source_size is not None:
        variant = phone_variant(source, width)
        size = variant_size(media_root, variant)
        return Placeholder(media_url(variant.path), size_label(size if size is not None else source_size))
    return Placeholder(media_url(source), size_label(source_size) if source_size is not None else "")


def _media_file(media_root: str, source: str) -> str | None:
    # A src in the body is untrusted: one that climbs out of the media root counts as a missing image.
    return safe_join(media_root, source)


BODY_IMAGE_SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
MEDIA_PREFIX = MEDIA_URL_PATH


def _source_width(media_root: str, source: str, attribute: str | None) -> int | None:
    if attribute and attribute.strip().isdigit():
        return int(attribute)
    # Imported bodies may lack sizes; the file's header says (Pillow reads no pixels for this). Imported only
    # here: a web worker whose bodies carry their sizes never holds Pillow's 9 MB.
    from PIL import Image
    from PIL import UnidentifiedImageError

    path = _media_file(media_root, source)
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return image.width
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


@lru_cache(maxsize=256)
def responsive_body_images(body_html: str, media_root: str, saving_data: bool) -> str:
    """Article body HTML whose stored images get resized WebP/JPEG sources, or, when saving data,
    a "Tải ảnh (45 KB)" link in their place."""
    if "<img" not in body_html:
        return body_html
    root = parse_fragment(body_html)
    for image in list(root.iter("img")):
        src = image.get("src") or ""
        if not src.startswith(MEDIA_PREFIX):
            continue
        source = src[len(MEDIA_PREFIX):]
        width = _source_width(media_root, source, image.get("width"))
        if saving_data:
            _replace_with_placeholder(image, image_placeholder(media_root, source, width or 0))
            continue
        sources = image_sources(source, width) if width else None
        if sources is None:
            continue
        image.set("srcset", sources.fallback_srcset)
        image.set("sizes", BODY_IMAGE_SIZES)
        image.set("loading", "lazy")
        image.set("decoding", "async")
        picture = lxml.html.Element("picture")
        image.addprevious(picture)
        picture.tail, image.tail = image.tail, None
        picture.append(lxml.html.Element("source", type="image/webp", srcset=sources.webp_srcset,
                                         sizes=BODY_IMAGE_SIZES))
        picture.append(image)
    return serialize_fragment(root)


def _replace_with_placeholder(image, placeholder: Placeholder) -> None:
    alt = (image.get("alt") or "").strip()
    inside_link = any(ancestor.tag == "a" for ancestor in image.iterancestors())
    if inside_link:
        # A link cannot hold another link: say what the picture was and leave the outer link to lead on.
        stand_in = lxml.html.Element("span", {"class": "image-placeholder"})
        stand_in.text = f"Ảnh: {alt}" if alt else "Ảnh"
    else:
        stand_in = lxml.html.Element("a", {"class": "image-placeholder", "href": placeholder.url})
        stand_in.text = f"Tải ảnh ({placeholder.label})" if placeholder.label else "Tải ảnh"
        if alt:
            stand_in.set("data-alt", alt)
            hidden = lxml.html.Element("span", {"class": "visually-hidden"})
            hidden.text = f": {alt}"
            stand_in.append(hidden)
    stand_in.tail = image.tail
    image.getparent().replace(image, stand_in)
