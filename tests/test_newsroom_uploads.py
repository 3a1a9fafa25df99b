"""Pictures uploaded in the newsroom: only what Pillow decodes as a picture is stored, re-encoded without its
metadata (no GPS position in a published photo), upright, within the size limit (a clear 413 beyond it)."""
import io
import os
import struct

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from newsroom_support import app, logged_in, token  # noqa: F401
from services.media.store import NotAnImage
from services.newsroom.accounts import EDITOR
from services.newsroom.uploads import MAX_SIDE, clean_image

GPS_IFD = 0x8825


def _jpeg_with_gps(size=(120, 80), orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Máy ảnh của Văn phòng"  # Make
    exif[0x013B] = "Nguyễn Văn A"  # Artist
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"ghi chu rieng")
    return out.getvalue()


@pytest.fixture
def editor(app):
    return logged_in(app, "bientap", EDITOR)


def _upload(client, data, name="anh.jpg"):
    return client.post("/bien-tap/anh", data={"anh": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": token(client, "/bien-tap/")}, content_type="multipart/form-data")


def _stored_files(app):
    root = os.path.join(app.config["MEDIA_ROOT"], "figures")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_gps_camera_and_author_are_gone_from_the_stored_photo(app, editor):
    original = _jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert GPS_IFD in check.getexif()  # the test's photo does carry a position
    response = _upload(editor, original)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["src"].startswith("/media/figures/") and (answer["width"], answer["height"]) == (120, 80)
    (name,) = _stored_files(app)
    with open(os.path.join(app.config["MEDIA_ROOT"], "figures", name), "rb") as file:
        stored = file.read()
    assert b"Exif" not in stored and "Văn phòng".encode() not in stored and b"ghi chu" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and "comment" not in image.info and image.format == "JPEG"


def test_the_photo_is_turned_upright_as_the_camera_said(app):
    cleaned, _ = clean_image(_jpeg_with_gps(size=(120, 80), orientation=6))  # rotated 90° by the camera
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (80, 120) and not image.getexif()


def test_png_text_chunks_go_and_transparency_stays():
    image = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van A")
    info.add_text("GPS", "21.03,105.85")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    cleaned, kind = clean_image(out.getvalue())
    assert kind == "PNG" and b"Nguyen" not in cleaned and b"21.03" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as result:
        assert result.mode == "RGBA" and result.getpixel((0, 0))[3] == 0


def test_a_huge_photo_is_kept_no_larger_than_the_site_shows():
    out = io.BytesIO()
    Image.new("RGB", (MAX_SIDE * 2, 100)).save(out, "JPEG")
    cleaned, _ = clean_image(out.getvalue())
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.width == MAX_SIDE


@pytest.mark.parametrize("data, name", [
    (b"<?php system($_GET['c']); ?>", "anh.jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "anh.png"),
    (b"%PDF-1.4 not a picture", "anh.webp"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "hong.jpg"),  # a JPEG's first bytes, then nothing
])
def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_stored(app, editor, data, name):
    response = _upload(editor, data, name)
    assert response.status_code == 415
    assert "Không nhận tệp" in response.get_json()["error"]
    assert _stored_files(app) == []


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF"])
@pytest.mark.parametrize("pillow_pads_truncated_images", [False, True])
def test_a_truncated_picture_is_refused(kind, pillow_pads_truncated_images, monkeypatch):
    # WeasyPrint, once imported, makes Pillow pad a truncated picture instead of failing: refused all the same.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_pads_truncated_images)
    out = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(out, kind)
    with pytest.raises(NotAnImage):
        clean_image(out.getvalue()[: len(out.getvalue()) // 2])


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A PNG header claiming 100,000 × 100,000 pixels: a few bytes that would need 30 GB to decode.
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    with pytest.raises(NotAnImage):
        clean_image(header + b"\x00" * 64)


def test_a_picture_over_the_limit_gets_a_clear_413(tmp_path, monkeypatch, build_app):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", str(50_000))
    monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "1024")
    monkeypatch.setenv("PASSWORD_HASH_TIME_COST", "1")
    small_app = next(build_app(tmp_path, monkeypatch, "sqlite"))
    client = logged_in(small_app, "bientap", EDITOR)
    response = _upload(client, os.urandom(200_000), "lon.jpg")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Ảnh lớn hơn" in text and "MB" in text
    assert _stored_files(small_app) == []
    page = client.post("/bien-tap/anh", data={"anh": (io.BytesIO(os.urandom(200_000)), "lon.jpg")},
                       headers={"X-CSRFToken": token(client, "/bien-tap/"), "Accept": "text/html"},
                       content_type="multipart/form-data")
    assert page.status_code == 413 and "<html" in page.get_data(as_text=True) and "Ảnh lớn hơn" in page.get_data(as_text=True)


def test_the_rest_of_the_site_keeps_its_small_request_limit(app, editor):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    assert app.test_client().post("/tuy-chon/tiet-kiem-du-lieu", data={"x": big}).status_code == 413
    # The newsroom's save takes a long article.
    assert editor.post("/bien-tap/lam-sach", data={"html": "<p>" + "chữ " * 40_000 + "</p>"},
                       headers={"X-CSRFToken": token(editor, "/bien-tap/")}).status_code == 200


def test_an_anonymous_upload_is_never_stored(app):
    response = app.test_client().post("/bien-tap/anh", data={"anh": (io.BytesIO(_jpeg_with_gps()), "a.jpg")},
                                      content_type="multipart/form-data")
    assert response.status_code == 302 and _stored_files(app) == []


def test_a_picture_the_bucket_cannot_take_is_refused_without_losing_the_editors_work(app, editor):
    import dataclasses

    from newsroom_support import article_form, post
    from services.infra.breaker import CircuitBreaker
    from services.infra.storage import ObjectStore

    away = ObjectStore("http://127.0.0.1:9", "docbai", "", "k", "s", timeout_seconds=1.0, breaker=CircuitBreaker(60))
    app.extensions["docbai"] = dataclasses.replace(app.extensions["docbai"], media=away.child("media"))
    response = _upload(editor, _jpeg_with_gps())
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Kho lưu trữ" in response.get_json()["error"]
    png = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(png, "PNG")
    page = post(editor, "/bien-tap/bai-viet/moi", {
        **article_form(title="Bài đang viết dở"), "new_image": (io.BytesIO(png.getvalue()), "anh.png"),
        "new_image_alt": "Bản đồ xã",
    }, content_type="multipart/form-data")
    assert page.status_code == 503 and page.headers["Retry-After"]
    text = page.get_data(as_text=True)
    assert "Kho lưu trữ" in text and "Bài đang viết dở" in text  # the form, filled, not an error page
    assert _stored_files(app) == []  # nothing kept that other hosts could not load
