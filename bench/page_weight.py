"""Page weight: compressed bytes to first render, and bytes a phone loads on a first and a repeat view.

    .venv/bin/python bench/page_weight.py

It builds a throw-away instance (SQLite, demo content), serves it on 127.0.0.1 at a random port, and
measures the home, a category and two article pages (the longest one, and one with a figure):

- first render: the HTML plus every render-blocking stylesheet, compressed with brotli and with gzip,
  response headers included — the target is the first TCP round trip, 14 KB (ten 1,460-byte segments);
- first view and repeat view: everything Debian's Chromium loads at a 360×740 phone viewport until the
  page is idle, counted from the network as sent (headers included; Chromium asks plain-HTTP sites for
  gzip, not brotli), then the same URL opened again in the same browser (a 304 and the cache);
- the article again with the data saver on.

Figures go to bench/results/page_weight.json. The exit status is 1 when an article page misses the
first-round-trip budget.
"""
from __future__ import annotations

import http.client
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from _support import CHROMIUM, RESULTS, serve_in_thread, throwaway_instance

FIRST_ROUND_TRIP_BYTES = 14_600
PHONE = {"width": 360, "height": 740}
BLOCKING_STYLESHEET = re.compile(r"<link\b(?=[^>]*\brel=\"?stylesheet)(?![^>]*\bmedia=\"?print)[^>]*>", re.I)


def _fetch(port: int, path: str, headers: dict) -> tuple[int, dict, bytes, int]:
    """Status, headers, body and bytes on the wire (status line and headers included) of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(f"{name}: {value}\r\n") for name, value in response.getheaders()) + 2
        return response.status, dict(response.getheaders()), body, header_bytes + len(body)
    finally:
        connection.close()


def first_render_bytes(port: int, path: str, encoding: str) -> dict:
    """The compressed HTML and render-blocking CSS of one page, as the server sends them."""
    status, headers, body, wire = _fetch(port, path, {"Accept-Encoding": encoding})
    assert status == 200, (path, status)
    assert headers.get("Content-Encoding") == encoding, (path, headers.get("Content-Encoding"))
    plain = _fetch(port, path, {})[2].decode("utf-8")
    head = plain.split("</head>", 1)[0]
    css_wire = 0
    for tag in BLOCKING_STYLESHEET.findall(head):
        href = re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
        css_wire += _fetch(port, urlsplit(href).path + ("?" + urlsplit(href).query if urlsplit(href).query else ""),
                           {"Accept-Encoding": encoding})[3]
    inline_css = sum(len(style) for style in re.findall(r"<style>(.*?)</style>", head, re.S))
    return {"html_body": len(body), "html_on_wire": wire, "blocking_css_on_wire": css_wire,
            "total_on_wire": wire + css_wire, "uncompressed_html": len(plain.encode("utf-8")),
            "inline_css_uncompressed": inline_css}


def browser_views(browser, base: str, path: str, cookies: list | None = None) -> dict:
    """Bytes Chromium loads for a first and a repeat view of one page, by resource type."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    requests, loaded = {}, []
    cdp.on("Network.responseReceived", lambda event: requests.__setitem__(
        event["requestId"], (event["type"], event["response"]["url"], event["response"]["status"])))
    cdp.on("Network.loadingFinished", lambda event: loaded.append((event["requestId"], event["encodedDataLength"])))

    def view() -> dict:
        requests.clear()
        loaded.clear()
        page.goto(base + path, wait_until="networkidle")
        by_type, resources, over_network = {}, 0, 0
        for request_id, size in loaded:
            kind = requests.get(request_id, ("Other", "", 0))[0]
            by_type[kind] = by_type.get(kind, 0) + int(size)
            resources += 1
            # A resource taken from the browser's cache costs no bytes; a 304 costs only its headers.
            over_network += 1 if size else 0
        return {"bytes": sum(by_type.values()), "resources": resources, "over_network": over_network,
                "by_type": by_type}

    try:
        return {"first_view": view(), "repeat_view": view()}
    finally:
        context.close()


def main() -> int:
    """Measure in a throw-away instance folder, removed afterwards."""
    with throwaway_instance("docbai-weight-bench-") as instance:
        return run(instance)


def run(instance: Path) -> int:
    """Seed demo content, serve it, measure every page and write the figures; 1 if the budget is missed."""
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select
    from app import create_app
    from extensions import db
    from models import Article, Category
    from services.demo.seed import seed_demo
    from services.infra.schema import create_schema

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(instance / "bench.db"), "TTS_ENGINE": "espeak"})
    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], article_count=200)
        rows = db.session.execute(select(Article.slug, Article.body_html).order_by(Article.published_at.desc())).all()
        category = db.session.execute(select(Category.slug).order_by(Category.position)).scalars().first()
    longest = max(rows, key=lambda row: len(row.body_html)).slug
    with_figure = next(row.slug for row in rows if "<figure" in row.body_html)
    pages = {"home": "/", "category": f"/chuyen-muc/{category}", "article (longest)": f"/bai-viet/{longest}",
             "article (with figure)": f"/bai-viet/{with_figure}"}

    server = serve_in_thread(app)
    port = server.server_port
    base = f"http://127.0.0.1:{port}"
    results = {"first_round_trip_budget": FIRST_ROUND_TRIP_BYTES, "pages": {}}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            for name, path in pages.items():
                results["pages"][name] = {
                    "path": path,
                    "first_render": {encoding: first_render_bytes(port, path, encoding)
                                     for encoding in ("br", "gzip")},
                    "browser": browser_views(browser, base, path),
                }
            saver = [{"name": "reading", "value": "data=on", "url": base}]
            results["pages"]["article (with figure)"]["browser_data_saver"] = browser_views(
                browser, base, pages["article (with figure)"], saver)
            browser.close()
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_weight.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{'page':24} {'first render br':>16} {'gzip':>8} {'first view':>11} {'repeat view':>12}")
    missed = False
    for name, figures in results["pages"].items():
        br, gz = figures["first_render"]["br"]["total_on_wire"], figures["first_render"]["gzip"]["total_on_wire"]
        first, repeat = figures["browser"]["first_view"], figures["browser"]["repeat_view"]
        print(f"{name:24} {br:>14,} B {gz:>6,} B {first['bytes']:>9,} B {repeat['bytes']:>10,} B"
              f"   ({first['over_network']} requests, then {repeat['over_network']})")
        if name.startswith("article") and max(br, gz) > FIRST_ROUND_TRIP_BYTES:
            missed = True
    saver = results["pages"]["article (with figure)"]["browser_data_saver"]["first_view"]
    print(f"{'article, data saver':24} {'':>16} {'':>8} {saver['bytes']:>9,} B")
    print(f"budget for the first round trip: {FIRST_ROUND_TRIP_BYTES:,} B; figures in {RESULTS / 'page_weight.json'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
