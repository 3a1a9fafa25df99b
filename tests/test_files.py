"""The shared file helpers: atomic writes, lock-file cleanup, ASCII download names."""
import pytest
from filelock import FileLock

from services.files import atomic_file, is_temp_name, remove_lock_file_if_free, write_atomically
from services.slugs import ascii_filename


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


def test_single_flight_lets_one_thread_work_and_the_rest_find_the_result(tmp_path):
    import threading

    from services.files import single_flight

    target, made = tmp_path / "result.bin", []
    barrier = threading.Barrier(8)

    def ask():
        barrier.wait()
        with single_flight(tmp_path / "result.lock", timeout=10):
            if not target.exists():
                made.append(1)
                write_atomically(target, b"once")

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == [1] and target.read_bytes() == b"once"


def test_single_flight_gives_up_after_its_timeout(tmp_path):
    import threading

    from services.files import LockTimeout, single_flight

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
