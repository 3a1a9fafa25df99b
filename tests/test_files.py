"""The shared file helpers: atomic writes, lock-file cleanup, the content-addressed file cache, download names."""
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

from services.infra.files import (
    FileCache,
    LockTimeout,
    PruneReport,
    atomic_file,
    cache_key,
    is_temp_name,
    remove_lock_file_if_free,
    single_flight,
    write_atomically,
)
from services.content.slugs import ascii_filename
from support import slow_writer


def test_write_atomically_makes_a_readable_file_and_its_folder(tmp_path):
    target = tmp_path / "new" / "file.bin"
    write_atomically(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in target.parent.iterdir()] == ["file.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as file:
            file.write(b"half")
            assert [is_temp_name(path.name) for path in tmp_path.iterdir()].count(True) == 1
            raise RuntimeError("writer died")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.bin"]


def test_a_held_lock_file_is_kept_and_a_free_one_removed(tmp_path):
    held, free = tmp_path / "held.lock", tmp_path / "free.lock"
    free.touch()
    with FileLock(held):
        assert remove_lock_file_if_free(held) is False
        assert held.exists()
    assert remove_lock_file_if_free(free) is True
    assert not free.exists()


@pytest.mark.parametrize(
    "slug, extension, part, expected",
    [
        ("hoi-nghi-tong-ket", "mp3", None, "hoi-nghi-tong-ket.mp3"),
        ("hội-nghị-tổng-kết-năm", "mp3", None, "hoi-nghi-tong-ket-nam.mp3"),
        ("thông-báo số 5", "pdf", None, "thong-bao-so-5.pdf"),
        ("đường-làng", "mp3", 3, "duong-lang-3.mp3"),
        ("", "pdf", None, "bai-viet.pdf"),
        ("…", "mp3", 0, "bai-viet-0.mp3"),
        ('x"; filename=evil.exe', "pdf", None, "x-filename-evil-exe.pdf"),
    ],
)
def test_ascii_filename(slug, extension, part, expected):
    assert ascii_filename(slug, extension, part) == expected


def test_single_flight_lets_one_thread_work_and_the_rest_find_the_result(tmp_path, at_once):
    target, made = tmp_path / "result.bin", []

    def ask():
        with single_flight(tmp_path / "result.lock", timeout=10):
            if not target.exists():
                made.append(1)
                write_atomically(target, b"once")

    at_once(8, ask)
    assert made == [1] and target.read_bytes() == b"once"


def test_single_flight_gives_up_after_its_timeout(tmp_path):
    inside, release = threading.Event(), threading.Event()

    def hold():
        with single_flight(tmp_path / "busy.lock", timeout=5):
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    try:
        with pytest.raises(LockTimeout):
            with single_flight(tmp_path / "busy.lock", timeout=0.2):
                pass
    finally:
        release.set()
        holder.join()


def _cache(tmp_path, make_timeout=5.0, store=None):
    """The cache under test; with store (the s3 runs of the tests that take the `store` fixture), its files
    live in SeaweedFS's bucket and the folder is this host's local copy: everything below must hold alike."""
    options = {"store": store.child("cache")} if store is not None else {}
    return FileCache(tmp_path / "cache", ".bin", make_timeout, **options)


def _files(directory):
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())


def test_cache_key_keeps_parts_apart_and_is_a_full_sha256():
    key = cache_key("ab", "c")
    assert key == cache_key("ab", "c")
    assert key != cache_key("a", "bc") and key != cache_key("abc")
    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize("bad_key", ["../../etc/passwd", "a1", "A" * 64, "ạ" * 64, "0" * 63, "0" * 65, "", None])
def test_cache_refuses_anything_that_is_not_a_key(tmp_path, bad_key):
    with pytest.raises(ValueError):
        _cache(tmp_path).path_for(bad_key)


def test_cache_makes_a_file_once_and_lays_it_out_by_key(tmp_path, store):
    cache = _cache(tmp_path, store=store)
    key = cache_key("bài một")
    calls = []
    first = cache.get_or_create(key, lambda file: (calls.append(1), file.write(b"whole")))
    again = cache.get_or_create(key, lambda file: (calls.append(1), file.write(b"other")))
    assert first == again == tmp_path / "cache" / key[:2] / f"{key}.bin"
    assert first.read_bytes() == b"whole" and calls == [1]
    assert first.stat().st_mode & 0o777 == 0o644  # a web server running as another user reads it
    assert cache.keys() == {key}


def test_no_half_written_file_is_ever_visible(tmp_path, store):
    cache = _cache(tmp_path, store=store)
    key = cache_key("chậm")
    halfway, finish = threading.Event(), threading.Event()

    slow_write = slow_writer(halfway, finish)
    writer = threading.Thread(target=cache.get_or_create, args=(key, slow_write))
    writer.start()
    assert halfway.wait(5)
    assert cache.get(key) is None and not cache.path_for(key).exists()
    assert [is_temp_name(name) for name in _files(tmp_path / "cache" / key[:2])] == [True]
    finish.set()
    writer.join(5)
    assert cache.get(key).read_bytes() == b"first half second half"


def test_a_failed_or_empty_write_leaves_nothing_behind(tmp_path, store):
    cache = _cache(tmp_path, store=store)

    def crash_halfway(file):
        file.write(b"half")
        raise RuntimeError("maker died")

    with pytest.raises(RuntimeError):
        cache.get_or_create(cache_key("x"), crash_halfway)
    with pytest.raises(ValueError):
        cache.get_or_create(cache_key("y"), lambda file: None)
    assert [name for name in _files(tmp_path / "cache") if not name.startswith(".locks/")] == []


def test_leftovers_of_a_crash_are_never_served(tmp_path, store):
    cache = _cache(tmp_path, store=store)
    key = cache_key("z")
    cache.path_for(key).parent.mkdir(parents=True)
    cache.path_for(key).write_bytes(b"")  # a rename whose data a crash lost
    assert cache.get(key) is None
    assert cache.get_or_create(key, lambda file: file.write(b"whole")).read_bytes() == b"whole"


def test_concurrent_threads_make_a_key_once(tmp_path, at_once, store):
    cache = _cache(tmp_path, store=store)
    key, calls = cache_key("cùng lúc"), []

    def make():
        return cache.get_or_create(key, lambda file: (calls.append(1), time.sleep(0.3), file.write(b"once")))

    assert at_once(6, make) == [cache.path_for(key)] * 6
    assert calls == [1]


def _make_from_another_process(directory: str, marker_directory: str, key: str) -> None:
    def write(file):
        Path(marker_directory, str(os.getpid())).touch()
        time.sleep(0.3)
        file.write(f"made by {os.getpid()}".encode())

    FileCache(directory, ".bin", 5.0).get_or_create(key, write)


def test_concurrent_processes_make_a_key_once(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    context = multiprocessing.get_context("spawn")
    key = cache_key("nhiều tiến trình")
    processes = [
        context.Process(target=_make_from_another_process, args=(str(tmp_path / "cache"), str(markers), key))
        for _ in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert len(list(markers.iterdir())) == 1


def test_a_waiter_gives_up_after_the_lock_policy(tmp_path, store):
    cache = _cache(tmp_path, make_timeout=0.1, store=store)
    key = cache_key("kẹt")
    assert cache.lock_timeout == 0.2
    with FileLock(cache.lock_directory / f"{key}.lock"):
        with pytest.raises(LockTimeout):
            cache.get_or_create(key, lambda file: file.write(b"never"))


def test_prune_by_key_and_by_age_removes_crash_leftovers_and_free_locks(tmp_path):
    cache = _cache(tmp_path)
    kept, unused, old = cache_key("giữ"), cache_key("bỏ"), cache_key("cũ")
    for key in (kept, unused, old):
        cache.get_or_create(key, lambda file: file.write(b"data"))
    a_week_ago = time.time() - 7 * 86400
    os.utime(cache.path_for(old), (a_week_ago, a_week_ago))
    stale_temp = cache.path_for(kept).with_name(".tmp-killed.tmp")
    fresh_temp = cache.path_for(kept).with_name(".tmp-at-work.tmp")
    for temp in (stale_temp, fresh_temp):
        temp.write_bytes(b"half")
    os.utime(stale_temp, (a_week_ago, a_week_ago))
    (tmp_path / "cache" / kept[:2] / "notes.txt").write_text("not ours")
    held = cache.lock_directory / f"{kept}.lock"

    with FileLock(held):
        report = cache.prune(keep={kept, old}, older_than_seconds=86400)
        assert held.exists(), "deleting a held lock would let a second maker start beside the first"

    assert cache.keys() == {kept}
    assert report.removed_files == 2 and report.freed_bytes == 8
    assert not stale_temp.exists()
    assert fresh_temp.exists(), "a young temp file may belong to a writer at work"
    assert (tmp_path / "cache" / kept[:2] / "notes.txt").exists()
    # The free locks of the other keys are gone; the one held during the prune stays.
    assert [path.name for path in cache.lock_directory.iterdir()] == [held.name]


def test_prune_of_a_missing_directory_is_a_no_op(tmp_path):
    assert _cache(tmp_path).prune(keep=set()) == PruneReport(0, 0)
