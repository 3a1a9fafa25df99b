"""The media store: image files kept under MEDIA_ROOT by content hash, so a re-import copies nothing twice."""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass


# Also imported from here by services.media.images.
from services.infra.files import write_atomically

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024

# The one place the media files' URL prefix is written: routes, the sanitizer, the PDF fetcher and the
# service worker take it from here (nginx's example configuration spells it out too).
MEDIA_URL_PATH = "/media/"


class NotAnImage(ValueError):
    """The file is not an image the site can show."""


@dataclass(frozen=True)
class StoredImage:
    path: str  # relative to the media root, with forward slashes
    width: int
    height: int


def store_image(media_root: str, data: bytes, folder: str = "images") -> StoredImage:
    """Keep image bytes in the media store under a name derived from their content."""
    from PIL import Image
    from PIL import UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise NotAnImage("ảnh quá lớn")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            extension = IMAGE_FORMATS.get(image.format)
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise NotAnImage(str(error)) from error
    if extension is None:
        raise NotAnImage("định dạng ảnh không được hỗ trợ")
    name = f"{folder}/{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
    target = os.path.join(media_root, name)
    if not os.path.exists(target):
        write_atomically(target, data)
    return StoredImage(name, width, height)


def media_url(path: str) -> str:
    """The URL path under which a stored media file is served."""
    return MEDIA_URL_PATH + path
