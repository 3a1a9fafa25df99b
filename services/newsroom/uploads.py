"""Pictures an editor uploads: decoded by Pillow (a file is an image only if it decodes as one, whatever its
name), re-encoded without its metadata (no GPS position, camera or author in a published photo), turned
upright, kept no larger than the site shows, and put in the media store like an imported image."""
from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from services.infra.storage import ObjectStore
from services.media.store import NotAnImage, StoredImage, store_image

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported by the functions that draw or read images, not with this module: a page needs none of it.

# Formats a browser shows and an editor's camera or screen gives; GIFs are stored as PNG (their first frame).
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG", "MPO": "JPEG"}
# The widest image the site ever shows or prints (its largest variant is 1,200 px; a PDF page takes 2,000).
MAX_SIDE = 2560
# Anything larger is refused before it is decoded (a small file can claim a huge size: a decompression bomb).
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 86


def clean_image(data: bytes) -> tuple[bytes, str]:
    """The picture re-encoded with no metadata, upright and at most MAX_SIDE wide or high, and its format;
    NotAnImage (with a Vietnamese reason) when the bytes are not a picture the site takes."""
    from PIL import Image
    from PIL import ImageOps
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise NotAnImage("Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")
                if image.width * image.height > MAX_PIXELS:
                    raise NotAnImage("Ảnh có quá nhiều điểm ảnh (tối đa 60 triệu).")
                image.verify()  # PNG and GIF: every chunk there and its checksum right
            source = _StrictReader(data)
            with Image.open(source) as image:
                source_format = image.format
                image.load()  # decodes every byte: a forged file fails here
                if source.ran_dry:
                    raise NotAnImage("Tệp ảnh bị cắt cụt (chưa tải lên hết?). Xin tải lại ảnh.")
                upright = ImageOps.exif_transpose(image)
        except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise NotAnImage("Tệp này không phải là ảnh đọc được.") from error
        except (OSError, SyntaxError, ValueError) as error:
            raise NotAnImage("Tệp ảnh bị hỏng hoặc không đọc được.") from error
    target_format = ACCEPTED_FORMATS[source_format]
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return _encode(upright, target_format), target_format


class _StrictReader(io.BytesIO):
    """The upload's bytes, noting whether the decoder asked for more than there was. WeasyPrint sets Pillow's
    LOAD_TRUNCATED_IMAGES for the whole process (so a PDF tolerates a damaged picture), and Pillow then pads a
    truncated upload with grey instead of failing; this tells such an upload apart."""

    ran_dry = False

    def read(self, size=-1):
        chunk = super().read(size)
        if size and size > 0 and not chunk:
            self.ran_dry = True
        return chunk


def _encode(image: Image.Image, target_format: str) -> bytes:
    # A new image from the pixels alone: neither EXIF (GPS, camera, date) nor XMP, comments or text chunks come
    # along (Pillow writes some of what an image's info holds). The colour profile does, since it changes how
    # the pixels look and says nothing about anyone.
    from PIL import Image

    icc_profile = image.info.get("icc_profile")
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if target_format == "JPEG" or not transparent:
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA"
    pixels = image.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    options = {"icc_profile": icc_profile} if icc_profile else {}
    output = io.BytesIO()
    if target_format == "JPEG":
        clean.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
    elif target_format == "PNG":
        clean.save(output, "PNG", optimize=True, **options)
    else:
        clean.save(output, "WEBP", quality=JPEG_QUALITY, **options)
    return output.getvalue()


def store_upload(media_root: str, data: bytes, store: ObjectStore | None = None) -> StoredImage:
    """The uploaded picture, cleaned, in the media store (named by its content, like imported figures)."""
    cleaned, _ = clean_image(data)
    return store_image(media_root, cleaned, folder="figures", store=store)
