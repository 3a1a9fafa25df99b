"""Storage on each backend: the file cache and the media store on the local folder and on a real S3-compatible
server (SeaweedFS, tests/seaweed.py), what two hosts sharing a bucket see, the bucket's budget, the app's
audio (Range, ETag, 304) and media served from it, and the settings that choose it."""
import hashlib
import io
import threading
import time
import uuid

import pytest
from PIL import Image

from extensions import db
from models import Article
from services.infra import files
from services.infra.breaker import CircuitBreaker
from services.infra.files import FileCache, cache_key, is_temp_name
from services.infra.storage import ObjectStore, StorageUnavailable, UseLog
from services.media.store import fetch_media, store_image
from services.speech import Narrator
from settings import SettingError, load_settings
from test_listening import LONG_BODY, SHORT_MP3, CountingEngine
from support import slow_writer


def _cache(folder, store, **options):
    """A cache on the backend; each call with another folder is another host's local copy."""
    if store is not None:
        options = {"store": store.child("cache"), **options}
    return FileCache(folder, ".bin", 5.0, **options)


def _local_files(directory):
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*")
                  if path.is_file() and not path.relative_to(directory).as_posix().startswith(".locks/"))


def test_a_file_is_made_once_and_every_host_finds_it(tmp_path, store):
    host_a, host_b = _cache(tmp_path / "a", store), _cache(tmp_path / "b", store)
    key, calls = cache_key("bài một"), []
    made = host_a.get_or_create(key, lambda file: (calls.append(1), file.write(b"whole")))
    assert made.read_bytes() == b"whole"
    if store is None:
        assert host_b.get(key) is None  # separate folders share nothing
        return
    found = host_b.get(key)
    assert found == tmp_path / "b" / key[:2] / f"{key}.bin" and found.read_bytes() == b"whole"
    assert host_b.get_or_create(key, lambda file: (calls.append(1), file.write(b"other"))) == found
    assert calls == [1]
    assert host_a.keys() == host_b.keys() == {key}
    assert store.child("cache").head(host_a.object_name(key))[:2] == (5, hashlib.sha256(b"whole").hexdigest())


def test_no_half_written_file_is_seen_by_any_host(tmp_path, store):
    maker, other = _cache(tmp_path / "a", store), _cache(tmp_path / "b", store)
    key = cache_key("chậm")
    halfway, finish = threading.Event(), threading.Event()

    slow_write = slow_writer(halfway, finish)
    writer = threading.Thread(target=maker.get_or_create, args=(key, slow_write))
    writer.start()
    assert halfway.wait(5)
    assert maker.get(key) is None and other.get(key) is None
    assert [is_temp_name(name.split("/")[-1]) for name in _local_files(tmp_path / "a")] == [True]
    if store is not None:
        assert maker.keys() == set()  # no object yet
    finish.set()
    writer.join(5)
    assert maker.get(key).read_bytes() == b"first half second half"
    if store is not None:
        assert other.get(key).read_bytes() == b"first half second half"


def test_a_failed_write_leaves_nothing_anywhere(tmp_path, store):
    cache = _cache(tmp_path / "a", store)

    def crash_halfway(file):
        file.write(b"half")
        raise RuntimeError("maker died")

    with pytest.raises(RuntimeError):
        cache.get_or_create(cache_key("x"), crash_halfway)
    assert _local_files(tmp_path / "a") == []
    assert cache.keys() == set()


def test_concurrent_threads_of_two_hosts_make_a_key_once(tmp_path, store, at_once):
    hosts = [_cache(tmp_path / "a", store), _cache(tmp_path / ("b" if store else "a"), store)]
    key, calls = cache_key("cùng lúc"), []
    if store is not None:
        # Two hosts share a lock only through Redis (services.infra.files.RedisLocks); here, one lock folder.
        for host in hosts:
            host.lock_directory = tmp_path / "locks"

    def make(number):
        return hosts[number % 2].get_or_create(
            key, lambda file: (calls.append(1), threading.Event().wait(0.3), file.write(b"once"))
        ).read_bytes()

    numbers = iter(range(6))
    lock = threading.Lock()

    def job():
        with lock:
            number = next(numbers)
        return make(number)

    assert at_once(6, job) == [b"once"] * 6
    assert calls == [1]


def test_the_bucket_is_held_to_its_budget_least_recently_used_first(tmp_path, bucket_store, monkeypatch):
    monkeypatch.setattr(files, "FRESH_FILE_SECONDS", 0.0)
    uses = UseLog(None, "test")
    recorded = {}
    uses.touch = lambda name, when=None: recorded.__setitem__(name, when)
    uses.last_used = lambda: dict(recorded)
    uses.forget = lambda names: [recorded.pop(name, None) for name in names]
    maker = _cache(tmp_path / "a", bucket_store, max_bytes=250, local_max_bytes=10_000, uses=uses)
    reader = _cache(tmp_path / "b", bucket_store, uses=uses)
    # Made first and with the smaller key, so that by write time alone (or by key) it would be the one to go.
    first, second = sorted((cache_key("một"), cache_key("hai")))
    third = cache_key("ba")
    for key in (first, second):
        maker.get_or_create(key, lambda file: file.write(b"x" * 100))
    # Both listened to after they were written (a use counts from the later of the two), the first more lately
    # (on another host): the second is the least recently used.
    recorded[maker.object_name(second)] = time.time() + 50
    recorded[maker.object_name(first)] = time.time() + 100
    maker.get_or_create(third, lambda file: file.write(b"x" * 100))
    assert maker.keys() == {first, third}, "the least recently used object goes, whichever host used it"
    assert reader.get(second) is None and reader.get(first).read_bytes() == b"x" * 100
    assert maker.used_bytes(0) == 200


def test_the_local_copy_is_bounded_and_refilled_from_the_bucket(tmp_path, bucket_store, monkeypatch):
    monkeypatch.setattr(files, "FRESH_FILE_SECONDS", 0.0)
    cache = _cache(tmp_path / "a", bucket_store, local_max_bytes=250)
    keys = [cache_key(str(number)) for number in range(4)]
    for key in keys:
        cache.get_or_create(key, lambda file: file.write(b"y" * 100))
    local = _local_files(tmp_path / "a")
    assert len(local) <= 2 and cache.keys() == set(keys)
    assert all(cache.get(key).read_bytes() == b"y" * 100 for key in keys)  # each one copied back when asked


def test_a_bucket_that_is_away_shows_the_local_copy_and_makes_nothing(tmp_path, bucket_store):
    cache = _cache(tmp_path / "a", bucket_store)
    kept = cache_key("đã có")
    cache.get_or_create(kept, lambda file: file.write(b"kept"))
    away = ObjectStore("http://127.0.0.1:9", bucket_store.bucket, bucket_store.prefix, "k", "s", timeout_seconds=1.0,
                       breaker=CircuitBreaker(60.0))
    cut_off = FileCache(tmp_path / "a", ".bin", 5.0, store=away.child("cache"))
    assert cut_off.get(kept).read_bytes() == b"kept"  # the local copy still plays
    calls = []
    assert cut_off.get(cache_key("mới")) is None
    assert away.breaker.is_open
    with pytest.raises(StorageUnavailable) as raised:
        cut_off.get_or_create(cache_key("mới"), lambda file: (calls.append(1), file.write(b"new")))
    assert isinstance(raised.value, OSError) and calls == []  # nothing made that could not be kept
    assert cut_off.failure(cache_key("mới")) is None  # and nothing remembered against it


def test_media_is_written_to_the_bucket_and_copied_to_each_host(tmp_path, store):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    data = buffer.getvalue()
    media = store.child("media") if store is not None else None
    stored = store_image(str(tmp_path / "a"), data, "figures", store=media)
    assert (tmp_path / "a" / stored.path).read_bytes() == data
    other = fetch_media(str(tmp_path / "b"), stored.path, media)
    if store is None:
        assert other is None
        return
    assert open(other, "rb").read() == data
    assert media.head(stored.path)[:2] == (len(data), hashlib.sha256(data).hexdigest())
    assert fetch_media(str(tmp_path / "b"), "../escape.png", media) is None
    assert fetch_media(str(tmp_path / "b"), "figures/none.png", media) is None


def test_audio_keeps_range_etag_and_304_on_each_backend(storage_app, make_article):
    article = make_article(body_html=LONG_BODY)
    speech = storage_app.extensions["docbai"].speech
    engine = CountingEngine(SHORT_MP3)
    speech.narrator = Narrator(speech.narrator.cache, [engine])
    client = storage_app.test_client()
    whole = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    for _ in range(50):
        if whole.status_code == 200 and whole.headers.get("Content-Length"):
            break
        threading.Event().wait(0.2)
        whole = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert whole.status_code == 200
    body, etag = whole.data, whole.headers["ETag"]
    part = client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.data == body[10:30]
    assert client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"If-None-Match": etag}).status_code == 304
    segment = client.get(f"/bai-viet/{article.slug}/nghe/0.mp3")
    assert segment.status_code == 200 and segment.headers["ETag"]
    cache = speech.narrator.cache
    assert (cache.store is not None) == (storage_app.config["STORAGE_BACKEND"] == "s3")
    assert len(cache.keys()) == engine.calls  # every segment made once, each in the bucket with s3


def test_media_is_served_to_a_host_that_has_no_copy(storage_app, tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "blue").save(buffer, "PNG")
    services = storage_app.extensions["docbai"]
    stored = store_image(str(tmp_path / "elsewhere"), buffer.getvalue(), "figures", store=services.media)
    response = storage_app.test_client().get(f"/media/{stored.path}")
    if services.media is None:
        assert response.status_code == 404  # written beside another host's folder: not ours
    else:
        assert response.status_code == 200 and response.data == buffer.getvalue()


def test_s3_needs_its_bucket(tmp_path):
    with pytest.raises(SettingError, match="S3_BUCKET"):
        load_settings(str(tmp_path), {"STORAGE_BACKEND": "s3"})
    loaded = load_settings(str(tmp_path), {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b",
                                           "AWS_SECRET_ACCESS_KEY": "very-secret-" + uuid.uuid4().hex})
    assert loaded.values["STORAGE_BACKEND"] == "s3" and loaded.sources["AWS_SECRET_ACCESS_KEY"] == "environment"


def test_the_credentials_are_masked(build_app, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "do-not-print-this-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-print-this-secret")
    builder = build_app(tmp_path, monkeypatch, "sqlite", create_tables=False)
    app = next(builder)
    try:
        assert app.config["AWS_SECRET_ACCESS_KEY"] == "do-not-print-this-secret"  # read via settings
        output = app.test_cli_runner().invoke(args=["config"]).output
        assert "AWS_SECRET_ACCESS_KEY" in output and "do-not-print-this" not in output
    finally:
        next(builder, None)


def test_storage_migrate_copies_verifies_and_resumes(build_app, tmp_path, monkeypatch, seaweed):
    settings = seaweed.settings(f"migrate-{uuid.uuid4().hex[:8]}/")
    builder = build_app(tmp_path, monkeypatch, "sqlite", create_tables=False, extra=settings)
    app = next(builder)
    try:
        media, audio = app.config["MEDIA_ROOT"], app.config["AUDIO_CACHE_DIR"]
        buffer = io.BytesIO()
        Image.new("RGB", (4, 3), "green").save(buffer, "PNG")
        first = store_image(media, buffer.getvalue(), "figures")  # on disk only, as before the move
        (tmp_path / "instance" / "media" / "_sizes" / "320").mkdir(parents=True)
        (tmp_path / "instance" / "media" / "_sizes" / "320" / "x.webp").write_bytes(b"derived")
        key = cache_key("đã đọc")
        FileCache(audio, ".mp3", 5.0).get_or_create(key, lambda file: file.write(SHORT_MP3))
        runner = app.test_cli_runner()

        done = runner.invoke(args=["storage", "migrate"])
        assert done.exit_code == 0, done.output
        assert "Đã chép 1 tệp" in done.output
        prefix = settings["S3_PREFIX"]
        assert seaweed.object_names(prefix) == [f"{prefix}media/{first.path}"]  # no resized copies

        again = runner.invoke(args=["storage", "migrate", "--caches"])
        assert again.exit_code == 0, again.output
        assert "Đã chép 1 tệp" in again.output and "1 tệp đã có sẵn" in again.output  # resumed, not redone
        assert f"{prefix}audio/{key[:2]}/{key}.mp3" in seaweed.object_names(prefix)
        # A host with no copy of its own now finds both in the bucket.
        services = app.extensions["docbai"]
        assert fetch_media(str(tmp_path / "other"), first.path, services.media) is not None
        assert FileCache(tmp_path / "other-audio", ".mp3", 5.0, **services.bucket.options("audio")).get(key)

        # A changed object (here, one overwritten with other bytes) is copied again and verified.
        services.media.put_bytes(first.path, b"not the picture")
        fixed = runner.invoke(args=["storage", "migrate"])
        assert "Đã chép 1 tệp" in fixed.output
        assert services.media.head(first.path).size == len(buffer.getvalue())
    finally:
        next(builder, None)


def test_storage_migrate_needs_the_s3_backend(runner):
    result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code != 0 and "STORAGE_BACKEND" in result.output


def test_a_pdf_rendered_on_a_host_without_the_pictures_gets_them_from_the_bucket(bucket_app, make_article, tmp_path):
    storage_app = bucket_app
    services = storage_app.extensions["docbai"]
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    stored = store_image(str(tmp_path / "elsewhere"), buffer.getvalue(), "figures", store=services.media)
    article = make_article(body_html=f'<p>Ảnh hội nghị.</p><figure><img src="/media/{stored.path}" alt="Hội nghị" '
                                     f'width="40" height="30"></figure>')
    local = tmp_path / "instance" / "media" / stored.path
    assert not local.exists()
    with storage_app.app_context():
        stored_article = db.session.execute(db.select(Article).filter_by(slug=article.slug)).scalar_one()
        pdf = services.pdfs.get_or_render(stored_article)
    assert pdf.path.read_bytes().startswith(b"%PDF-")
    assert local.read_bytes() == buffer.getvalue()


def test_a_large_file_goes_up_in_parts_and_appears_whole(tmp_path, bucket_store, monkeypatch):
    from services.infra import storage

    monkeypatch.setattr(storage, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)  # S3's smallest part
    data = bytes(range(256)) * (11 * 1024 * 4)  # 11 MiB: three parts
    key = cache_key("tệp lớn")
    _cache(tmp_path / "a", bucket_store).get_or_create(key, lambda file: file.write(data))
    info = bucket_store.child("cache").head(FileCache(tmp_path, ".bin", 1.0).object_name(key))
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.etag.endswith("-3"), info.etag  # a multipart upload's ETag: the parts' digest and their count
    assert hashlib.sha256(_cache(tmp_path / "b", bucket_store).get(key).read_bytes()).digest() == hashlib.sha256(data).digest()
