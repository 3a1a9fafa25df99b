"""The PDF service: text, page furniture, fonts, tags, metadata, the site-only fetcher, the time limit, the cache."""
from __future__ import annotations

import http.server
import io
import multiprocessing
import threading
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from services.printing.render import PdfRenderTimeout, render_pdf
from services.printing.weasy import SiteFilesFetcher, URLRefused
from services.printing.qr import qr_code_svg

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
SITE = "http://docbai.test"
ARTICLE_URL = f"{SITE}/bai-viet/hoi-nghi-tong-ket-cong-tac-nam-2024"
TITLE = "Hội nghị tổng kết công tác năm 2024 của huyện Đồng Lâm"
AUTHOR = "Nguyễn Thị Hương"
PARAGRAPH = (
    "Ủy ban nhân dân huyện Đồng Lâm tổ chức hội nghị tổng kết công tác năm 2024, triển khai nhiệm vụ "
    "trọng tâm năm 2025. Đồng chí Chủ tịch UBND huyện nhấn mạnh việc đẩy mạnh chuyển đổi số, cải cách "
    "hành chính và nâng cao chất lượng phục vụ người dân ở các xã, thị trấn."
)


def nfc(text: str) -> str:
    """PDF text extraction may give decomposed Vietnamese; compare in NFC."""
    return unicodedata.normalize("NFC", text)


def article_html(body: str, *, title: str = TITLE, head: str = "") -> str:
    """A page shaped like the print template, linking the real print.css."""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta name="author" content="{AUTHOR}">
<link rel="stylesheet" href="/static/css/print.css">{head}</head>
<body class="print-page"><div class="print-document">
<header class="print-masthead"><p class="print-masthead__portal">Cổng thông tin điện tử huyện Đồng Lâm</p>
<p class="print-masthead__date">In ngày 28/11/2025</p></header>
<article><h1 class="print-title">{title}</h1>
<p class="print-meta">Đăng lúc 08:30 ngày 27/11/2025 · Tác giả: {AUTHOR}</p>
<div class="print-body">{body}</div></article>
<footer class="print-source"><div class="print-source__qr">{qr_code_svg(ARTICLE_URL, "Mã QR dẫn tới bài viết")}</div>
<p class="print-source__url">{ARTICLE_URL}</p></footer>
</div></body></html>"""


class TrapHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server naming
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trap_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TrapHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """A media folder with one image, and a link (thoat-ra/) to a secret file outside it."""
    root = tmp_path_factory.mktemp("media")
    (root / "images").mkdir()
    Image.new("RGB", (320, 200), (30, 110, 60)).save(root / "images" / "ruong-lua.png")
    outside = tmp_path_factory.mktemp("bi-mat")
    (outside / "passwd").write_text("root:x:0:0")
    (root / "thoat-ra").symlink_to(outside)
    return root


@pytest.fixture(scope="module")
def long_pdf(trap_server, media_root):
    """A two-page article with a local figure and every kind of outside reference the fetcher must refuse."""
    trap = f"http://127.0.0.1:{trap_server.server_port}"
    head = f"""<link rel="stylesheet" href="{trap}/style.css">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<style>@import url("{trap}/import.css");
@font-face {{ font-family: Trap; src: url("{trap}/font.woff2"); }}
.print-body {{ background-image: url("{trap}/background.png"); }}
.print-body p:first-child {{ background: url("file:///etc/passwd"); }}</style>"""
    body = (
        f"<p>{PARAGRAPH}</p>"
        '<figure><img src="/media/images/ruong-lua.png" alt="Cánh đồng lúa xã Tân Phú" width="320" height="200">'
        "<figcaption>Cánh đồng lúa xã Tân Phú vào vụ gặt.</figcaption></figure>"
        f'<p><img src="{trap}/tracking-pixel.png" alt="ảnh ngoài">{PARAGRAPH}</p>'
        '<p><img src="file:///etc/passwd" alt="tệp hệ thống"><img src="data:image/png;base64,iVBORw0KGgo=" alt="data"></p>'
        f'<svg width="10" height="10"><title>hình</title><image href="{trap}/svg-image.png" width="10" height="10"/></svg>'
        + f"<p>{PARAGRAPH}</p>" * 14
    )
    data = render_pdf(
        article_html(body, head=head), ARTICLE_URL + "/in", STATIC_ROOT, media_root, timeout=30
    )
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    return [nfc(page.extract_text()) for page in reader.pages]


def test_text_keeps_vietnamese_title_and_body(long_pdf):
    text = " ".join(" ".join(page_texts(long_pdf)).split())
    assert TITLE in text
    assert nfc(PARAGRAPH) in text
    assert "Cánh đồng lúa xã Tân Phú vào vụ gặt." in text


def test_every_page_has_its_number_and_the_print_date(long_pdf):
    texts = page_texts(long_pdf)
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, start=1):
        assert f"Trang {number}/{total}" in text
        assert text.count("In ngày 28/11/2025") == 1
    assert "Cổng thông tin điện tử huyện Đồng Lâm" in texts[1]


def test_every_font_is_embedded(long_pdf):
    fonts = []
    for page in long_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            fonts.append(font)
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
        assert "Noto" in font["/BaseFont"]


def test_pdf_is_tagged_ua_with_metadata(long_pdf):
    root = long_pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "vi"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert nfc(long_pdf.metadata.title) == TITLE
    assert nfc(long_pdf.metadata.author) == AUTHOR
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def figure_alt_texts(node) -> list[str]:
    node = node.get_object()
    texts = [nfc(node["/Alt"])] if node.get("/S") == "/Figure" and "/Alt" in node else []
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
            texts += figure_alt_texts(kid)
    return texts


def test_figures_carry_their_alt_text(long_pdf):
    alts = figure_alt_texts(long_pdf.trailer["/Root"]["/StructTreeRoot"])
    assert "Cánh đồng lúa xã Tân Phú" in alts
    assert "Mã QR dẫn tới bài viết" in alts


def test_only_the_local_image_is_embedded(long_pdf):
    images = {image.data: image for page in long_pdf.pages for image in page.images}
    assert [image.image.size for image in images.values()] == [(320, 200)]


def test_outside_urls_are_never_fetched(long_pdf, trap_server):
    assert trap_server.requests == []


def test_local_files_are_never_read(long_pdf):
    assert "/Names" not in long_pdf.trailer["/Root"]  # no embedded /etc/passwd attachment
    assert "root:" not in " ".join(page_texts(long_pdf))


def test_site_files_are_read_from_disk_even_when_the_site_is_the_trap(trap_server, media_root):
    """Same-origin static URLs are mapped to files; the fetcher itself never speaks HTTP."""
    site = f"http://127.0.0.1:{trap_server.server_port}"
    html = article_html(f"<p>{PARAGRAPH}</p>", head=f'<link rel="stylesheet" href="{site}/khong-co.css">')
    data = render_pdf(html, f"{site}/bai-viet/x/in", STATIC_ROOT, media_root)
    assert "Trang 1/1" in page_texts(PdfReader(io.BytesIO(data)))[0]
    assert trap_server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/css,body{}",
        "http://elsewhere.example/static/css/print.css",
        "https://docbai.test/static/css/print.css",
        "http://docbai.test:8080/static/css/print.css",
        "ftp://docbai.test/static/css/print.css",
        "http://docbai.test/static/../../../../etc/passwd",
        "http://docbai.test/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://docbai.test/media/..%2f..%2fetc/passwd",
        "http://docbai.test/media//etc/passwd",
        "http://docbai.test/media/%00.png",
        "http://docbai.test/media/",
        "http://docbai.test/media/images/khong-co.png",
        "http://docbai.test/etc/passwd",
        "http://docbai.test/staticx/css/print.css",
        "http://docbai.test/media/thoat-ra/passwd",
    ],
)
def test_fetcher_refuses_everything_but_site_files(url, media_root):
    fetcher = SiteFilesFetcher(SITE, {"/static/": STATIC_ROOT, "/media/": media_root})
    with pytest.raises(URLRefused):
        fetcher.fetch(url)


def test_fetcher_serves_static_and_media_files(media_root):
    fetcher = SiteFilesFetcher(SITE, {"/static/": STATIC_ROOT, "/media/": media_root})
    css = fetcher.fetch(f"{SITE}/static/css/print.css?v=1")
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    image = fetcher.fetch("HTTP://DOCBAI.TEST/media/images/ruong-lua.png")
    assert image.content_type == "image/png"


def test_a_render_over_its_time_limit_is_abandoned(media_root):
    huge = article_html(f"<p>{PARAGRAPH}</p>" * 4000)
    # The raise is the proof it was abandoned (finished, it would have returned the PDF); not timed: a busy
    # machine makes times lie.
    with pytest.raises(PdfRenderTimeout):
        render_pdf(huge, ARTICLE_URL, STATIC_ROOT, media_root, timeout=0.5)
    assert not multiprocessing.active_children()


