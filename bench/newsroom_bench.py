"""An editor's day in numbers: logging in, opening the editor, saving a 1,000-word article, its preview, and the
first sentence of its preview audio (Nghe thử), cold and cached, and its preview PDF (Bản in thử).

    .venv/bin/python bench/newsroom_bench.py [--repeat 5] [--words 1000]

It builds a throw-away instance (SQLite), makes an editor with the real password cost (argon2id, 64 MiB, three
passes), serves the site on 127.0.0.1 and does what the editor's browser does, over HTTP with a session
cookie. "First sentence" is what Nghe thử plays first: the player fetches the segment list, then segment 0 (the
title), then segment 1 (the body's first sentence); each cold run edits the title and the first sentence so
espeak-ng voices them anew. Writes bench/results/newsroom_bench.json; exit status 1 when a target is missed.
Targets: open the editor in under 300 ms, save in under 1 s, the first sentence's audio in under 2 s.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time

from _support import ONE_CLIENT_SETTINGS, save_and_report_targets, serve_in_thread, throwaway_instance

OPEN_TARGET_SECONDS = 0.3
SAVE_TARGET_SECONDS = 1.0
FIRST_SENTENCE_TARGET_SECONDS = 2.0
PASSWORD = "một buổi sáng ở tòa soạn huyện"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
SENTENCES = [
    "Ngày 16/11/2026, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác năm.",
    "Tổng thu ngân sách trên địa bàn đạt 105% kế hoạch, tăng 12,5% so với cùng kỳ.",
    "Các xã vùng cao đã hoàn thành 21 km đường giao thông nông thôn.",
    "Hội nghị thống nhất các chỉ tiêu chủ yếu cho năm 2027 và giao nhiệm vụ cho từng phòng, ban.",
    "Người dân có thể phản ánh kiến nghị qua đường dây nóng của huyện.",
    "Đồng chí Chủ tịch UBND huyện đề nghị các đơn vị tập trung cải cách thủ tục hành chính.",
]


def article_body(words: int) -> str:
    """A Vietnamese article of about `words` words, in paragraphs of four sentences."""
    sentences, count = [], 0
    while count < words:
        sentence = SENTENCES[len(sentences) % len(SENTENCES)]
        sentences.append(sentence)
        count += len(sentence.split())
    paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--words", type=int, default=1000, help="words in the draft")
    options = parser.parse_args()
    with throwaway_instance("docbai-newsroom-bench-"):
        return run(options.repeat, options.words)


def run(repeat: int, words: int) -> int:
    import requests

    from app import create_app
    from extensions import db
    from services.infra.schema import create_schema

    app = create_app({"TTS_ENGINE": "espeak", "PAGE_CACHE_SECONDS": 60, **ONE_CLIENT_SETTINGS})
    with app.app_context():
        create_schema()
    result = app.test_cli_runner().invoke(args=["users", "create", "bientap", "--role", "duyet-bai"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    server = serve_in_thread(app)
    base = f"http://127.0.0.1:{server.server_port}/bien-tap"
    session = requests.Session()

    def timed(method: str, url: str, **options) -> tuple[float, requests.Response]:
        start = time.perf_counter()
        response = session.request(method, url, timeout=120, allow_redirects=False, **options)
        return time.perf_counter() - start, response

    def token() -> str:
        return TOKEN.search(session.get(f"{base}/", timeout=30).text).group(1)

    login_times = []
    for _ in range(repeat):
        session.cookies.clear()
        page = session.get(f"{base}/dang-nhap", timeout=30).text
        seconds, response = timed("POST", f"{base}/dang-nhap", data={
            "csrf_token": TOKEN.search(page).group(1), "username": "bientap", "password": PASSWORD})
        assert response.status_code == 302, response.text[:500]
        login_times.append(seconds)

    body = article_body(words)
    form = {"title": "Hội nghị tổng kết năm 2026", "summary": "", "category_id": "0", "author": "Văn phòng",
            "published_at": "", "body_html": body, "edit_version": "0", "hanh_dong": "luu", "csrf_token": token()}
    response = session.post(f"{base}/bai-viet/moi", data=form, allow_redirects=False, timeout=60)
    article_url = "http://127.0.0.1:%d%s" % (server.server_port, response.headers["Location"])
    article_id = int(article_url.rsplit("/", 1)[1])

    open_new = [timed("GET", f"{base}/bai-viet/moi")[0] for _ in range(repeat)]
    open_existing = [timed("GET", article_url)[0] for _ in range(repeat)]
    save_times, preview_times, first_cold, first_cached, title_cold, pdf_cold = [], [], [], [], [], []
    version = 1
    for run_number in range(repeat):
        changed = body.replace("Ngày 16/11/2026", f"Ngày {run_number + 1}/12/2026", 1)
        seconds, response = timed("POST", article_url, data={
            **form, "title": f"Hội nghị tổng kết năm 2026, lần {run_number + 1}", "body_html": changed,
            "edit_version": str(version)})
        assert response.status_code == 302, response.text[:500]
        version += 1
        save_times.append(seconds)
        preview_times.append(timed("GET", f"{base}/bai-viet/{article_id}/xem-truoc")[0])
        # Nghe thử, as the player does it: the segment list, then the title, then the first sentence.
        start = time.perf_counter()
        manifest = session.get(f"{base}/bai-viet/{article_id}/nghe.json", timeout=60).json()
        title = session.get(f"http://127.0.0.1:{server.server_port}{manifest['segments'][0]['url']}", timeout=60)
        title_cold.append(time.perf_counter() - start)
        first = session.get(f"http://127.0.0.1:{server.server_port}{manifest['segments'][1]['url']}", timeout=60)
        first_cold.append(time.perf_counter() - start)
        assert title.status_code == first.status_code == 200 and first.headers["Content-Type"] == "audio/mpeg"
        start = time.perf_counter()
        session.get(f"{base}/bai-viet/{article_id}/nghe.json", timeout=60)
        session.get(f"http://127.0.0.1:{server.server_port}{manifest['segments'][1]['url']}", timeout=60)
        first_cached.append(time.perf_counter() - start)
        seconds, response = timed("GET", f"{base}/bai-viet/{article_id}/ban-in.pdf")
        pdf_cold.append(seconds if response.status_code == 200 else float("nan"))
    server.shutdown()
    with app.app_context():
        db.engine.dispose()

    median = statistics.median
    results = {
        "words": words,
        "repeat": repeat,
        "login_seconds": median(login_times),
        "open_new_editor_seconds": median(open_new),
        "open_editor_seconds": median(open_existing),
        "save_seconds": median(save_times),
        "preview_page_seconds": median(preview_times),
        "nghe_thu_title_cold_seconds": median(title_cold),
        "nghe_thu_first_sentence_cold_seconds": median(first_cold),
        "nghe_thu_first_sentence_cached_seconds": median(first_cached),
        "ban_in_thu_cold_seconds": median(pdf_cold),
    }
    print(f"An editor's day, a {words}-word article, median of {repeat}:")
    for name, value in results.items():
        if name.endswith("_seconds"):
            print(f"  {name.removesuffix('_seconds').replace('_', ' '):42} {value * 1000:8.0f} ms")
    misses = []
    if results["open_editor_seconds"] > OPEN_TARGET_SECONDS:
        misses.append(f"opening the editor took {results['open_editor_seconds']:.3f} s (target {OPEN_TARGET_SECONDS} s)")
    if results["save_seconds"] > SAVE_TARGET_SECONDS:
        misses.append(f"saving took {results['save_seconds']:.3f} s (target {SAVE_TARGET_SECONDS} s)")
    if results["nghe_thu_first_sentence_cold_seconds"] > FIRST_SENTENCE_TARGET_SECONDS:
        misses.append(f"the first sentence took {results['nghe_thu_first_sentence_cold_seconds']:.3f} s "
                      f"(target {FIRST_SENTENCE_TARGET_SECONDS} s)")
    return save_and_report_targets("newsroom_bench", results, misses, "newsroom")


if __name__ == "__main__":
    sys.exit(main())
