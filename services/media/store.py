"""The media store: image files kept under MEDIA_ROOT by content hash, so a re-import copies nothing twice.

With an object store (STORAGE_BACKEND=s3), each file is written to the bucket's media/ folder first, where
every host finds it, and MEDIA_ROOT is this host's copy, filled on first use by fetch_media. Files are named
by their content, so a copy is never stale."""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass


# Also imported from here by services.media.images.
from services.infra.files import atomic_file, write_atomically
from services.infra.storage import ObjectStore

# The bucket's folder of the media store (below S3_PREFIX).
MEDIA_FOLDER = "media"

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


def store_image(media_root: str, data: bytes, folder: str = "images", store: ObjectStore | None = None) -> StoredImage:
    """Keep image bytes in the media store under a name derived from their content (in store too, if given:
    StorageUnavailable when it cannot be written, and then nothing refers to the file)."""
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
    if store is not None and store.size(name) != len(data):
        store.put_bytes(name, data)
    if not os.path.exists(target):
        write_atomically(target, data)
    return StoredImage(name, width, height)


def fetch_media(media_root: str, name: str, store: ObjectStore | None) -> str | None:
    """The local path of the media file name (relative to media_root), copied from store first if this host
    has none yet; None when there is no such file (or name leaves the media root). StorageUnavailable when
    the file is only in a store that is away."""
    root = os.path.realpath(media_root)
    path = os.path.realpath(os.path.join(root, name))
    if not path.startswith(root + os.sep):
        return None
    if os.path.isfile(path):
        return path
    if store is None:
        return None
    found = False
    try:
        with atomic_file(path) as file:
            found = store.download_into(name, file)
            if not found:
                raise FileNotFoundError(name)
    except FileNotFoundError:
        if found:
            raise
        return None
    return path


def media_url(path: str) -> str:
    """The URL path under which a stored media file is served."""
    return MEDIA_URL_PATH + path
