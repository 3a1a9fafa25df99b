"""The printing area: the print view, the PDF endpoint and its cache, the In control, the prewarm command."""
from __future__ import annotations

import http.server
import io
import os
import unicodedata
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from blueprints import printing
from extensions import db
from models import Article
from services.media.store import store_image
from services.printing import article_pdf
from services.printing.render import PdfRenderError, PdfRenderTimeout
from services.printing.print_body import printable_body

VIETNAMESE_BODY = (
    "<p>Sáng 16/11/2023, Ủy ban nhân dân huyện Đồng Lâm tổ chức hội nghị triển khai kế hoạch "
    'phát triển kinh tế – xã hội năm 2024, theo <a href="https://vanban.example.vn/quyet-dinh-12">Quyết định số 12</a>.</p>'
    "<p>Người dân xã Tân Phong phấn khởi vì đường liên thôn đã được bê tông hóa.</p>"
)


def nfc(text: str) -> str:
    """PDF text extraction may give decomposed Vietnamese; compare in NFC."""
    return unicodedata.normalize("NFC", text)


def pdf_text(data: bytes) -> list[str]:
    return [nfc(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def render_calls(monkeypatch):
    """Count the renders the PDF endpoint asks the service for."""
    calls = []
    real_render_pdf = article_pdf.render_pdf

    def counting_render_pdf(*args, **kwargs):
        calls.append(args[1])
        return real_render_pdf(*args, **kwargs)

    monkeypatch.setattr(article_pdf, "render_pdf", counting_render_pdf)
    return calls


def cached_pdfs(app) -> list[Path]:
    return sorted(Path(app.config["PDF_CACHE_DIR"]).glob("*/*.pdf"))


def test_print_view_is_the_article_alone(client, make_article):
    article = make_article(title="Hội nghị triển khai kế hoạch năm 2024", body_html=VIETNAMESE_BODY)
    response = client.get(f"/bai-viet/{article.slug}/in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hội nghị triển khai kế hoạch năm 2024" in html
    assert "Cổng thông tin điện tử huyện Đồng Lâm" in html
    # The publication date, never the day of printing: one PDF serves every day until the article changes.
    assert "Đăng ngày 16/11/2023" in html and ">14:13 ngày 16/11/2023</time>" in html
    assert "In ngày" not in html
    assert "Tác giả: <span class=\"print-author\">Minh Anh</span>" in html
    assert f"http://127.0.0.1:5000/bai-viet/{article.slug}" in html
    assert '<svg role="img"' in html and "<title>Mã QR dẫn tới bài viết" in html
    assert '<sup class="print-link-ref">[1]</sup>' in html
    assert "<li>https://vanban.example.vn/quyet-dinh-12</li>" in html
    assert 'class="menu"' not in html and "sidebar" not in html
    assert f'href="/bai-viet/{article.slug}/in.pdf"' in html
    assert "<script>" not in html and " onclick" not in html


def test_print_view_uses_the_public_address(app, client, make_article):
    app.config["SITE_URL"] = "https://donglam.gov.vn"
    article = make_article()
    html = client.get(f"/bai-viet/{article.slug}/in").get_data(as_text=True)
    assert f"https://donglam.gov.vn/bai-viet/{article.slug}" in html


@pytest.mark.parametrize("path", ["/bai-viet/khong-co/in", "/bai-viet/khong-co/in.pdf"])
def test_missing_article_is_a_vietnamese_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_draft_article_cannot_be_printed(client, make_article):
    draft = make_article(status="draft")
    assert client.get(f"/bai-viet/{draft.slug}/in").status_code == 404
    assert client.get(f"/bai-viet/{draft.slug}/in.pdf").status_code == 404


def test_pdf_holds_the_article_with_page_furniture(client, make_article):
    article = make_article(title="Hội nghị triển khai kế hoạch năm 2024", body_html=VIETNAMESE_BODY)
    response = client.get(f"/bai-viet/{article.slug}/in.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"inline; filename={article.slug}.pdf"
    assert response.headers["ETag"]
    assert response.cache_control.public and response.cache_control.max_age == printing.PDF_MAX_AGE
    text = " ".join(" ".join(pdf_text(response.data)).split())
    assert "Hội nghị triển khai kế hoạch năm 2024" in text
    assert "Người dân xã Tân Phong phấn khởi vì đường liên thôn đã được bê tông hóa." in text
    assert "Trang 1/1" in text
    assert "https://vanban.example.vn/quyet-dinh-12" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert nfc(reader.metadata.title) == "Hội nghị triển khai kế hoạch năm 2024"
    assert nfc(reader.metadata.author) == "Minh Anh"
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_long_article_pdf_numbers_its_pages(client, make_article):
    paragraph = "<p>Toàn huyện gieo cấy 1.856 ha lúa nước, năng suất bình quân ước đạt 41,6 tạ/ha; sản lượng lương thực cả năm ước đạt 13.306 tấn.</p>"
    article = make_article(body_html=paragraph * 40)
    pages = pdf_text(client.get(f"/bai-viet/{article.slug}/in.pdf").data)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in text


def test_pdf_file_name_is_ascii(client, make_article):
    article = make_article(slug="thông-báo số 5")
    response = client.get(f"/bai-viet/{article.slug}/in.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "inline; filename=thong-bao-so-5.pdf"


def test_pdf_is_cached_until_the_article_changes(app, client, make_article, render_calls):
    article = make_article()
    url = f"/bai-viet/{article.slug}/in.pdf"
    first = client.get(url)
    again = client.get(url)
    assert len(render_calls) == 1
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert len(cached_pdfs(app)) == 1

    with app.app_context():
        stored = db.session.get(Article, article.id)
        stored.body_html = "<p>Nội dung đã được sửa: lịch họp chuyển sang thứ Sáu.</p>"
        db.session.commit()
    edited = client.get(url)
    assert len(render_calls) == 2
    assert edited.headers["ETag"] != first.headers["ETag"]
    assert "lịch họp chuyển sang thứ Sáu" in " ".join(pdf_text(edited.data))


def test_a_known_etag_gets_304_without_rendering(app, client, make_article, render_calls):
    article = make_article()
    url = f"/bai-viet/{article.slug}/in.pdf"
    etag = client.get(url).headers["ETag"]
    for path in cached_pdfs(app):
        path.unlink()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert len(render_calls) == 1


def test_the_print_template_version_is_part_of_the_key(app, make_article, monkeypatch):
    article_id = make_article().id
    with app.app_context():
        article = db.session.get(Article, article_id)
        pdfs = app.extensions["docbai"].pdfs
        assert all(pdfs.design_fingerprints()), "the print template and stylesheet must be found and fingerprinted"
        key = pdfs.key(article)
        monkeypatch.setattr("services.printing.article_pdf.PDF_TEMPLATE_VERSION", "next")
        assert pdfs.key(article) != key


@pytest.mark.parametrize("failure", [PdfRenderError("WeasyPrint hỏng"), PdfRenderTimeout("quá lâu")])
def test_a_failed_render_gives_a_vietnamese_page_with_a_way_back(app, client, make_article, monkeypatch, failure):
    article = make_article()

    def failing_render_pdf(*args, **kwargs):
        raise failure

    monkeypatch.setattr(article_pdf, "render_pdf", failing_render_pdf)
    response = client.get(f"/bai-viet/{article.slug}/in.pdf")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "Chưa tạo được tệp PDF" in html
    assert f'href="/bai-viet/{article.slug}"' in html and f'href="/bai-viet/{article.slug}/in"' in html
    assert "Traceback" not in html and "WeasyPrint" not in html
    assert cached_pdfs(app) == []


def test_article_page_offers_the_print_controls(client, make_article):
    article = make_article()
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert f'<a href="/bai-viet/{article.slug}/in.pdf" type="application/pdf">In' in html
    assert f'<a href="/bai-viet/{article.slug}/in">Xem bản in</a>' in html


class TrapHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server naming
        self.server.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_outside_image_in_stored_html_is_not_fetched(client, make_article):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TrapHandler)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        trap = f"http://127.0.0.1:{server.server_port}"
        # Stored HTML is sanitized on import; this article skips that, as a bug or a hand edit might.
        article = make_article(body_html=f'<p>Ảnh ngoài:<img src="{trap}/anh.png" alt="ảnh theo dõi"></p>'
                                         f'<figure><img src="{trap}/hinh.jpg" alt="hình"></figure>')
        response = client.get(f"/bai-viet/{article.slug}/in.pdf")
        assert response.status_code == 200
        assert "ảnh theo dõi" not in " ".join(pdf_text(response.data))
        assert server.requests == []
    finally:
        server.shutdown()
        server.server_close()


def test_prewarm_renders_the_latest_articles_once(app, runner, make_article):
    for _ in range(3):
        make_article()
    result = runner.invoke(args=["pdf", "prewarm", "--latest", "2"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 2 tệp PDF, 0 tệp đã có sẵn, 0 lỗi." in result.output
    assert len(cached_pdfs(app)) == 2
    again = runner.invoke(args=["pdf", "prewarm", "--latest", "3"])
    assert "Đã tạo 1 tệp PDF, 2 tệp đã có sẵn, 0 lỗi." in again.output


def test_prewarm_reports_failures(app, runner, make_article, monkeypatch):
    make_article()

    def failing_render_pdf(*args, **kwargs):
        raise PdfRenderTimeout("quá lâu")

    monkeypatch.setattr(article_pdf, "render_pdf", failing_render_pdf)
    result = runner.invoke(args=["pdf", "prewarm", "--latest", "5"])
    # A clean failure is the command's own exit (SystemExit), never an exception escaping it.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "Đã tạo 0 tệp PDF, 0 tệp đã có sẵn, 1 lỗi." in result.output


def test_prune_removes_old_pdfs_and_keeps_todays(app, runner, make_article):
    make_article()
    make_article()
    assert runner.invoke(args=["pdf", "prewarm", "--latest", "2"]).exit_code == 0
    old, today = cached_pdfs(app)
    three_days_ago = time.time() - 3 * 86400
    os.utime(old, (three_days_ago, three_days_ago))
    result = runner.invoke(args=["pdf", "prune", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa 1 tệp PDF cũ." in result.output
    assert cached_pdfs(app) == [today]


PAGE = "https://donglam.gov.vn/bai-viet/hop-thuong-ky"


@pytest.mark.parametrize(
    ("body", "printed_html", "links"),
    [
        ('<p><a href="/chuyen-muc/tin-tuc">Tin tức</a></p>',
         '<p><a href="/chuyen-muc/tin-tuc">Tin tức</a><sup class="print-link-ref">[1]</sup></p>',
         ["https://donglam.gov.vn/chuyen-muc/tin-tuc"]),
        ('<p><a href="https://a.vn/x">một</a> và <a href="https://a.vn/x">hai</a></p>',
         '<p><a href="https://a.vn/x">một</a><sup class="print-link-ref">[1]</sup> và '
         '<a href="https://a.vn/x">hai</a><sup class="print-link-ref">[1]</sup></p>',
         ["https://a.vn/x"]),
        ('<p><a href="https://a.vn/x">https://a.vn/x</a></p>', '<p><a href="https://a.vn/x">https://a.vn/x</a></p>', []),
        ('<p><a href="#muc-2">Mục 2</a> <a>trống</a></p>', '<p><a href="#muc-2">Mục 2</a> <a>trống</a></p>', []),
        ('<p><a href="tel:02163879969">gọi</a></p>',
         '<p><a href="tel:02163879969">gọi</a><sup class="print-link-ref">[1]</sup></p>', ["tel:02163879969"]),
        ('<figure><img src="/media/a.png" alt="a"><img src="https://x.vn/b.png" alt="b"></figure>',
         '<figure><img src="/media/a.png" alt="a"></figure>', []),
        ("", "", []),
    ],
)
def test_printable_body(body, printed_html, links):
    printed = printable_body(body, PAGE)
    assert printed.html == printed_html
    assert printed.links == links


# --- paper: a photo report on few pages ----------------------------------------------------------------

REPORT_PARAGRAPH = (
    "Ủy ban nhân dân huyện Đồng Lâm tổ chức hội nghị tổng kết công tác năm 2024, triển khai nhiệm vụ "
    "trọng tâm năm 2025. Đồng chí Chủ tịch UBND huyện nhấn mạnh việc đẩy mạnh chuyển đổi số, cải cách "
    "hành chính và nâng cao chất lượng phục vụ người dân ở các xã, thị trấn."
)
REPORT_END = "Hội nghị bế mạc lúc 11h30 cùng ngày."
# Four landscape pictures and an upright one, as cameras and phones give them.
REPORT_PICTURES = [(800, 533), (800, 533), (600, 800), (800, 533), (960, 640)]
# Measured: 5 pages when a picture could fill half a page and stood alone between paragraphs.
REPORT_MAX_PAGES = 3


@pytest.fixture
def photo_report(app, make_article):
    """About 1,000 words and five figures, spread through the text."""
    figures = []
    for index, (width, height) in enumerate(REPORT_PICTURES):
        data = io.BytesIO()
        Image.new("RGB", (width, height), (40 + 40 * index, 120, 60)).save(data, "JPEG")
        stored = store_image(app.config["MEDIA_ROOT"], data.getvalue(), "demo")
        figures.append(f'<figure><img src="/media/{stored.path}" alt="Ảnh {index + 1}" width="{width}" '
                       f'height="{height}"><figcaption>Ảnh {index + 1}: quang cảnh hội nghị.</figcaption></figure>')
    parts = []
    for index in range(16):
        parts.append(f"<p>{REPORT_PARAGRAPH}</p>")
        if index in (1, 4, 7, 10, 13):
            parts.append(figures.pop(0))
    parts.append(f"<p>{REPORT_END}</p>")
    return make_article(title="Hội nghị tổng kết công tác năm 2024", slug="hoi-nghi-tong-ket", body_html="".join(parts))


def image_heights(page) -> list[float]:
    """The height, in points, at which each image on a PDF page is drawn."""
    heights = []

    def visit(operator, operands, matrix, text_matrix):
        if operator == b"Do":
            heights.append(matrix[3])

    page.extract_text(visitor_operand_before=visit)
    return heights


def test_a_photo_report_prints_on_few_pages_with_small_figures(app, client, photo_report):
    app.config["PDF_WAIT_SECONDS"] = 60  # a busy machine must not turn the PDF into the "đang chuẩn bị" page
    reader = PdfReader(io.BytesIO(client.get(f"/bai-viet/{photo_report.slug}/in.pdf").data))
    assert len(reader.pages) <= REPORT_MAX_PAGES
    heights = [(height, float(page.mediabox.height)) for page in reader.pages for height in image_heights(page)]
    assert len(heights) == len(REPORT_PICTURES)
    for height, page_height in heights:
        assert 0 < height <= page_height / 3 - 1
    # The QR code and the address end the article together with its last lines, not on a page of their own.
    last_page = " ".join(nfc(reader.pages[-1].extract_text()).split())
    assert REPORT_END in last_page and f"/bai-viet/{photo_report.slug}" in last_page
