"""Preview by eye, ear and paper: the draft as readers will see it (staff only, never cached), Nghe thử through
the reader's player, narrator and audio cache (the published article's first listener gets the very files the
editor heard), and Bản in thử, the draft's PDF."""
import re

import pytest
from pypdf import PdfReader
import io

from newsroom_support import RecordingVoice, app, create_article, logged_in, post  # noqa: F401
from services.newsroom.accounts import EDITOR, PUBLISHER
from support import use_voice

BODY = "<p>Ngày 16/11/2026, UBND huyện tổ chức hội nghị. Hội nghị bàn 21 chỉ tiêu.</p><p>Đoạn thứ hai của bài.</p>"


def _ready(client, url, attempts=20):
    """The answer once the file is made: a busy machine may first say 202 "đang chuẩn bị", as a browser is told."""
    response = client.get(url)
    for _ in range(attempts):
        if response.status_code != 202:
            break
        assert "no-store" in response.headers["Cache-Control"]
        response = client.get(url)
    return response


@pytest.fixture
def voice(app):
    return use_voice(app, RecordingVoice())


@pytest.fixture
def editor(app):
    return logged_in(app, "bientap", EDITOR)


def test_the_preview_is_the_readers_page_marked_as_a_preview_and_never_cached(app, editor):
    article_id = create_article(editor, body_html=BODY)
    response = editor.get(f"/bien-tap/bai-viet/{article_id}/xem-truoc")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "BẢN XEM TRƯỚC" in page and "bài nháp, bạn đọc chưa thấy" in page
    assert 'class="article"' in page and "Hội nghị bàn 21 chỉ tiêu." in page  # the reader's article markup
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    assert "xem.gif" not in page  # a preview is not a view
    assert "data-offline-save" not in page  # nor kept by a browser for reading offline
    assert f'data-manifest="/bien-tap/bai-viet/{article_id}/nghe.json?v=' in page
    assert f'href="/bien-tap/bai-viet/{article_id}/ban-in.pdf"' in page
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    phone = editor.get(f"/bien-tap/bai-viet/{article_id}/xem-truoc/dien-thoai").get_data(as_text=True)
    assert f'<iframe src="/bien-tap/bai-viet/{article_id}/xem-truoc"' in phone and 'width="360"' in phone


def test_other_pages_still_refuse_to_be_framed(app, editor):
    assert "frame-ancestors 'none'" in editor.get("/bien-tap/").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in app.test_client().get("/").headers["Content-Security-Policy"]


def test_nghe_thu_plays_the_drafts_sentences_into_the_cache_the_published_article_uses(app, editor, voice):
    article_id = create_article(editor, body_html=BODY)
    manifest = editor.get(f"/bien-tap/bai-viet/{article_id}/nghe.json").get_json()
    texts = [segment["text"] for segment in manifest["segments"]]
    assert texts[0] == "Thông báo lịch tiếp công dân tháng 12" and "Đoạn thứ hai của bài." in texts
    assert "mười sáu tháng mười một" in " ".join(segment["spoken"] for segment in manifest["segments"])
    first = _ready(editor, manifest["segments"][1]["url"])
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    assert "no-store" in first.headers["Cache-Control"]
    # Published: the reader's first sentence is the file the editor heard, made once.
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    post(publisher, f"/bien-tap/bai-viet/{article_id}/dang")
    spoken_before = len(voice.said)
    reader = app.test_client()
    reader_manifest = reader.get("/bai-viet/thong-bao-lich-tiep-cong-dan-thang-12/nghe.json").get_json()
    assert [s["spoken"] for s in reader_manifest["segments"]] == [s["spoken"] for s in manifest["segments"]]
    heard = _ready(reader, reader_manifest["segments"][1]["url"])
    assert heard.status_code == 200 and heard.data == first.data
    assert voice.said[spoken_before:].count(manifest["segments"][1]["spoken"]) == 0  # not voiced again


def test_the_preview_audio_of_an_article_follows_its_edits(app, editor, voice):
    article_id = create_article(editor, body_html=BODY)
    before = editor.get(f"/bien-tap/bai-viet/{article_id}/nghe.json").get_json()
    from newsroom_support import article_form
    post(editor, f"/bien-tap/bai-viet/{article_id}", article_form(body_html="<p>Nội dung đã sửa.</p>", edit_version="1"))
    after = editor.get(f"/bien-tap/bai-viet/{article_id}/nghe.json").get_json()
    assert before["version"] != after["version"]
    assert [s["text"] for s in after["segments"]][1:] == ["Nội dung đã sửa."]


def test_ban_in_thu_is_the_drafts_pdf(app, editor):
    article_id = create_article(editor, body_html=BODY)
    response = _ready(editor, f"/bien-tap/bai-viet/{article_id}/ban-in.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Hội nghị bàn 21 chỉ tiêu" in re.sub(r"\s+", " ", text)
    assert "no-store" in response.headers["Cache-Control"]


def test_readers_reach_no_preview_of_a_draft(app, editor):
    article_id = create_article(editor, body_html=BODY)
    reader = app.test_client()
    for path in ("xem-truoc", "nghe.json", "nghe/0.mp3", "nghe.mp3", "ban-in.pdf", "xem-truoc/dien-thoai"):
        response = reader.get(f"/bien-tap/bai-viet/{article_id}/{path}")
        assert response.status_code == 302 and response.headers["Location"].startswith("/bien-tap/dang-nhap")
    assert reader.get("/bai-viet/thong-bao-lich-tiep-cong-dan-thang-12/nghe.json").status_code == 404
