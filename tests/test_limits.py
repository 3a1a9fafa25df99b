"""Cost limits and bounded caches: new generation is rate-limited per client (cached files never are), the
caches evict the least recently used files at their budget, and a writer killed with SIGKILL leaves nothing
that needs a manual prune."""
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from services.infra.files import FileCache, cache_key, is_temp_name
from services.printing.article_pdf import ArticlePdfs

FAKE_PDF = b"%PDF-1.7\n% a stand-in\n%%EOF\n"


@pytest.fixture
def limited_app(app, monkeypatch):
    app.config.update(COLD_GENERATION_LIMIT="2 per minute", PDF_WAIT_SECONDS=10)
    monkeypatch.setattr(ArticlePdfs, "_render", lambda self, article: FAKE_PDF)
    return app


def test_new_generation_is_limited_per_client_and_cached_files_never(limited_app, make_article):
    articles = [make_article() for _ in range(4)]
    client = limited_app.test_client()
    first, second = (client.get(f"/bai-viet/{article.slug}/in.pdf") for article in articles[:2])
    assert first.status_code == second.status_code == 200

    refused = client.get(f"/bai-viet/{articles[2].slug}/in.pdf")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    text = refused.get_data(as_text=True)
    assert "Bạn yêu cầu quá nhiều tệp mới" in text and "<html" in text and "Traceback" not in text
    with limited_app.app_context():
        assert limited_app.extensions["docbai"].pdfs.cached(_stored(articles[2])) is None

    # Files already made are never limited, however often they are asked for.
    for _ in range(5):
        assert client.get(f"/bai-viet/{articles[0].slug}/in.pdf").data == FAKE_PDF
    # Another client has its own allowance.
    other = client.get(f"/bai-viet/{articles[3].slug}/in.pdf", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def _stored(article):
    from extensions import db
    from models import Article

    return db.session.get(Article, article.id)


def _files(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


def test_the_cache_evicts_the_least_recently_used_at_its_budget(tmp_path):
    cache = FileCache(tmp_path, ".bin", 5.0, max_bytes=350)
    keys = [cache_key(str(number)) for number in range(4)]
    for age, key in zip((4000, 3000, 2000), keys):  # made long ago: not fresh
        path = cache.get_or_create(key, lambda file: file.write(b"x" * 100))
        os.utime(path, (time.time() - age, time.time() - age))
    cache.get(keys[0])  # read just now: the oldest file becomes the most recently used
    cache.get_or_create(keys[3], lambda file: file.write(b"x" * 100))

    assert cache.keys() == {keys[0], keys[2], keys[3]}  # the least recently used one went
    assert sum(path.stat().st_size for path in tmp_path.rglob("*.bin")) <= 350


def test_a_full_cache_is_emptied_to_its_low_water_mark_so_the_next_files_scan_nothing(tmp_path, monkeypatch):
    cache = FileCache(tmp_path, ".bin", 5.0, max_bytes=1000)
    for number in range(11):
        path = cache.get_or_create(cache_key(str(number)), lambda file: file.write(b"x" * 100))
        os.utime(path, (time.time() - 1000 + number, time.time() - 1000 + number))  # not fresh
    held = sum(path.stat().st_size for path in tmp_path.rglob("*.bin"))
    assert held <= 900 and cache.keys() >= {cache_key("9"), cache_key("10")}
    scans = []
    real_entries = cache._entries
    monkeypatch.setattr(cache, "_entries", lambda: scans.append(1) or real_entries())
    cache.get_or_create(cache_key("one more"), lambda file: file.write(b"x" * 100))
    assert scans == []  # back under the budget with room to spare: no sweep


def test_fresh_files_stay_past_the_budget_up_to_its_cap(tmp_path):
    # Three long articles made at once in a small cache: each one's segments stay until it is whole and fetched.
    from services.infra.files import FRESH_FILES_CAP

    cache = FileCache(tmp_path, ".bin", 5.0, max_bytes=1000)
    old = cache.get_or_create(cache_key("cũ"), lambda file: file.write(b"x" * 100))
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    fresh = [cache.get_or_create(cache_key(str(number)), lambda file: file.write(b"x" * 100)) for number in range(15)]
    assert not old.exists()  # the old one went first
    assert all(path.exists() for path in fresh)  # 1,500 bytes, over the budget, under the cap of 2,000
    more = [cache.get_or_create(cache_key(f"thêm {number}"), lambda file: file.write(b"x" * 100)) for number in range(10)]
    held = sum(path.stat().st_size for path in tmp_path.rglob("*.bin"))
    assert held <= 1000 * FRESH_FILES_CAP and more[-1].exists()


def test_the_file_just_made_is_never_evicted_even_over_budget(tmp_path):
    cache = FileCache(tmp_path, ".bin", 5.0, max_bytes=50)
    small = cache.get_or_create(cache_key("nhỏ"), lambda file: file.write(b"x" * 40))
    big = cache.get_or_create(cache_key("lớn"), lambda file: file.write(b"x" * 100))
    assert big.exists() and not small.exists()


def _write_until_killed(directory: str, key: str, started) -> None:
    def write(file):
        file.write(b"half of an MP3")
        file.flush()
        started.set()
        time.sleep(60)

    FileCache(directory, ".mp3", 30.0).get_or_create(key, write)


def test_a_writer_killed_mid_file_leaves_nothing_behind(tmp_path):
    directory = tmp_path / "audio"
    key = cache_key("bị giết giữa chừng")
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    writer = context.Process(target=_write_until_killed, args=(str(directory), key, started))
    writer.start()
    assert started.wait(60)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(10)
    leftovers = _files(directory)
    assert any(is_temp_name(Path(name).name) for name in leftovers) and any(name.endswith(".lock") for name in leftovers)

    # The next file made (here by a restarted worker) sweeps up: no prune, no cron.
    cache = FileCache(directory, ".mp3", 30.0)
    assert cache.get(key) is None
    cache.get_or_create(cache_key("bài khác"), lambda file: file.write(b"whole"))
    assert _files(directory) == [f"{cache_key('bài khác')[:2]}/{cache_key('bài khác')}.mp3"]
    # And the killed writer's key can be made at once: its lock went with the process.
    assert cache.get_or_create(key, lambda file: file.write(b"whole")).read_bytes() == b"whole"
