"""Pictures uploaded from the editor (dragged, chosen or pasted), and HTML pasted into it, cleaned by the
server's own sanitizer so the editor shows exactly what will be saved."""
from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from blueprints.newsroom.base import STORAGE_AWAY, STORAGE_RETRY_AFTER, bp, record, requires
from extensions import db
from web.site_services import site_services
from services.infra.storage import StorageUnavailable
from services.media.store import NotAnImage, media_url
from services.newsroom.accounts import WRITE
from services.newsroom.uploads import store_upload
from services.newsroom.body import prepare_body


@bp.post("/anh")
@requires(WRITE)
def upload_image():
    """One picture: decoded, re-encoded without metadata, stored; its URL and size as JSON (415 with the
    reason when it is not a picture, 413 when too large)."""
    upload = request.files.get("anh")
    if upload is None or not upload.filename:
        return jsonify(error="Chưa chọn ảnh."), 400
    data = upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        raise RequestEntityTooLarge()
    try:
        stored = store_upload(current_app.config["MEDIA_ROOT"], data, site_services().media)
    except StorageUnavailable:
        return jsonify(error=STORAGE_AWAY), 503, {"Retry-After": str(STORAGE_RETRY_AFTER)}
    except NotAnImage as error:
        return jsonify(error=f"Không nhận tệp “{upload.filename}”: {error}"), 415
    record("image_uploaded", target=stored.path, detail=upload.filename[:200])
    db.session.commit()
    return jsonify(src=media_url(stored.path), width=stored.width, height=stored.height)


@bp.post("/lam-sach")
@requires(WRITE)
def clean_html():
    """HTML from the clipboard (Word, LibreOffice, a web page) through the sanitizer every save uses."""
    return jsonify(html=prepare_body(request.form.get("html", ""), current_app.config["MEDIA_ROOT"]))
