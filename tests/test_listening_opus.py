"""The data saver's lighter audio: each sentence as Ogg Opus, named (with its MIME type) by the player's segment list
only when the reader saves data, decodable by a real decoder, as long as its MP3, under 100 KB a minute, and served
with Range and ETag like the MP3s."""
import io
import re

import pytest
import soundfile
from mutagen.mp3 import MP3

from services.speech.opus import OPUS_SOURCE_TYPE
from support import use_voice
from test_listening import SHORT_MP3, CountingEngine
from test_speech import tone_mp3

BODY = (
    "<p>Ngày 16/11/2023, UBND huyện tổ chức hội nghị tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024 với sự"
    " tham dự của lãnh đạo các xã, thị trấn và các phòng, ban chuyên môn.</p>"
    "<p>Tổng thu ngân sách đạt 105% kế hoạch, tăng 12,5% so với cùng kỳ; giá trị sản xuất nông nghiệp tăng 4,2%.</p>"
    "<p>Hội nghị đề ra 21 chỉ tiêu cho năm 2024, trong đó có xây dựng thêm hai xã đạt chuẩn nông thôn mới nâng cao.</p>"
)
SAVING = {"Save-Data": "on"}
# What 100 KB a minute allows (KB of 1,000 bytes, the stricter reading).
MOST_BYTES_PER_MINUTE = 100_000


@pytest.fixture
def article(make_article):
    return make_article(body_html=BODY)


def _manifest(client, slug, headers=None, switch=None):
    if switch is not None:
        client.set_cookie("reading", f"data={switch}")  # the site's own switch (services/preferences.py)
    response = client.get(f"/bai-viet/{slug}/nghe.json", headers=headers or {})
    assert response.status_code == 200
    return response


def _opus_duration(data: bytes) -> float:
    # Decoded by libsndfile (libopus), not by the site's code: a file browsers would refuse fails here too.
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    assert len(samples) > 0
    return len(samples) / rate


@pytest.mark.parametrize("headers, switch", [(SAVING, None), ({}, "on")], ids=["save-data", "site-switch"])
def test_data_saver_lists_opus_first_with_its_mime_type(client, article, headers, switch):
    response = _manifest(client, article.slug, headers, switch)
    assert {"Cookie", "Save-Data"} <= set(response.vary)
    for segment in response.get_json()["segments"]:
        opus, mp3 = segment["sources"]
        assert opus["type"] == OPUS_SOURCE_TYPE == "audio/ogg; codecs=opus"
        assert re.fullmatch(rf"/bai-viet/{article.slug}/nghe/{segment['index']}\.opus\?v=[0-9a-f]+", opus["url"])
        assert mp3 == {"url": segment["url"], "type": "audio/mpeg"}


def test_without_the_data_saver_only_mp3(client, article):
    response = _manifest(client, article.slug)
    assert ".opus" not in response.get_data(as_text=True)
    assert all("sources" not in segment for segment in response.get_json()["segments"])
    # The reader's own switch set to off wins over the browser's Save-Data.
    off = _manifest(client, article.slug, SAVING, switch="off")
    assert ".opus" not in off.get_data(as_text=True)


def test_opus_segments_decode_as_long_as_their_mp3_and_under_100_kb_a_minute(client, article):
    segments = _manifest(client, article.slug, SAVING).get_json()["segments"]
    opus_bytes = opus_seconds = 0.0
    for segment in segments:
        opus, mp3 = (client.get(source["url"]) for source in segment["sources"])
        assert opus.status_code == 200 and opus.mimetype == "audio/ogg"
        assert opus.data[:4] == b"OggS" and b"OpusHead" in opus.data[:100]
        seconds = _opus_duration(opus.data)
        # The MP3 carries its encoder's delay and padding (a frame or two); nothing else may differ.
        assert seconds == pytest.approx(MP3(io.BytesIO(mp3.data)).info.length, abs=0.12)
        opus_bytes += len(opus.data)
        opus_seconds += seconds
    assert opus_seconds > 10
    assert opus_bytes / opus_seconds * 60 <= MOST_BYTES_PER_MINUTE


def test_opus_of_a_voice_that_gives_only_mp3_is_made_from_its_mp3(app, client, article):
    engine = use_voice(app, CountingEngine(tone_mp3(seconds=2.0)))
    segments = _manifest(client, article.slug, SAVING).get_json()["segments"]
    opus = client.get(segments[1]["sources"][0]["url"])
    assert opus.status_code == 200 and opus.mimetype == "audio/ogg"
    assert _opus_duration(opus.data) == pytest.approx(MP3(io.BytesIO(engine.mp3)).info.length, abs=0.12)
    calls = engine.calls
    # The MP3 of the same sentence is the one it was made from: nothing is spoken again.
    assert client.get(segments[1]["url"]).status_code == 200
    assert engine.calls == calls


@pytest.mark.parametrize(
    "range_header, part",
    [("bytes=0-99", slice(0, 100)), ("bytes=100-", slice(100, None)), ("bytes=-50", slice(-50, None))],
)
def test_opus_range_requests(client, article, range_header, part):
    url = _manifest(client, article.slug, SAVING).get_json()["segments"][0]["sources"][0]["url"]
    whole = client.get(url)
    assert whole.headers["Accept-Ranges"] == "bytes"
    response = client.get(url, headers={"Range": range_header})
    assert response.status_code == 206
    assert response.data == whole.data[part]
    positions = range(len(whole.data))[part]
    assert response.headers["Content-Range"] == f"bytes {positions[0]}-{positions[-1]}/{len(whole.data)}"


def test_opus_etag_gives_304_and_differs_from_the_mp3(client, article):
    segment = _manifest(client, article.slug, SAVING).get_json()["segments"][0]
    opus, mp3 = (client.get(source["url"]) for source in segment["sources"])
    assert opus.headers["ETag"] and opus.headers["ETag"] != mp3.headers["ETag"]
    assert "max-age=604800" in opus.headers["Cache-Control"]
    again = client.get(segment["sources"][0]["url"], headers={"If-None-Match": opus.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_head_request_never_makes_opus(client, app, article):
    engine = use_voice(app, CountingEngine(SHORT_MP3))
    head = client.head(f"/bai-viet/{article.slug}/nghe/1.opus")
    assert head.status_code == 202 and head.data == b""
    assert engine.calls == 0


@pytest.mark.parametrize("path", ["nghe/99.opus", "nghe/-1.opus", "nghe/x.opus"])
def test_bad_opus_segment_numbers_are_404(client, article, path):
    assert client.get(f"/bai-viet/{article.slug}/{path}").status_code == 404


def _player_audio(client, slug, headers=None):
    html = client.get(f"/bai-viet/{slug}", headers=headers or {}).get_data(as_text=True)
    return re.search(r'<audio class="player-audio"[^>]*>.*?</audio>', html, re.S).group(0)


def test_the_page_without_javascript_names_the_whole_opus_first_under_the_data_saver(client, article):
    audio = _player_audio(client, article.slug, SAVING)
    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)">', audio)
    assert [source_type for _, source_type in sources] == ["audio/ogg; codecs=opus", "audio/mpeg"]
    opus_url, mp3_url = (url.replace("&amp;", "&") for url, _ in sources)
    assert re.fullmatch(rf"/bai-viet/{article.slug}/nghe\.opus\?v=[0-9a-f]+", opus_url)
    assert re.fullmatch(rf"/bai-viet/{article.slug}/nghe\.mp3\?v=[0-9a-f]+", mp3_url)
    assert "src=" not in re.search(r"<audio[^>]*>", audio).group(0), "a src on <audio> would hide its <source>s"


def test_the_page_without_the_data_saver_names_only_the_mp3(client, article):
    audio = _player_audio(client, article.slug)
    assert "<source" not in audio and ".opus" not in audio
    assert re.search(rf'<audio [^>]*src="/bai-viet/{article.slug}/nghe\.mp3\?v=', audio)


def test_whole_opus_decodes_as_long_as_the_whole_mp3_with_range_and_304(app, client, article):
    mp3 = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert app.extensions["docbai"].jobs.drain(60)
    opus_cache = app.extensions["docbai"].speech.narrator.opus_cache
    sentences = len(opus_cache.keys())
    assert sentences == len(_manifest(client, article.slug, SAVING).get_json()["segments"])
    # Made only when asked for, by a job of its own (the first <audio> to ask takes the MP3 after it meanwhile).
    assert client.get(f"/bai-viet/{article.slug}/nghe.opus").status_code in (200, 202)
    assert app.extensions["docbai"].jobs.drain(60)
    assert len(opus_cache.keys()) == sentences + 1
    opus = client.get(f"/bai-viet/{article.slug}/nghe.opus")
    assert opus.status_code == 200 and opus.mimetype == "audio/ogg"
    assert opus.headers["Content-Disposition"] == f"inline; filename={article.slug}.opus"
    seconds = _opus_duration(opus.data)
    assert seconds == pytest.approx(MP3(io.BytesIO(mp3.data)).info.length, rel=0.03)
    assert len(opus.data) / seconds * 60 <= MOST_BYTES_PER_MINUTE
    assert len(opus.data) < len(mp3.data) * 0.6
    part = client.get(f"/bai-viet/{article.slug}/nghe.opus", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == opus.data[10:20]
    again = client.get(f"/bai-viet/{article.slug}/nghe.opus", headers={"If-None-Match": opus.headers["ETag"]})
    assert again.status_code == 304


def test_an_engine_that_gives_samples_has_its_opus_made_from_them_not_from_its_mp3(app, client, article):
    segment = _manifest(client, article.slug, SAVING).get_json()["segments"][1]
    etag = client.get(segment["sources"][0]["url"]).headers["ETag"].strip('"')
    narrator = app.extensions["docbai"].speech.narrator
    from_samples, from_mp3 = narrator.opus_keys(narrator.engines[0], segment["spoken"])
    assert etag == from_samples != from_mp3
    assert narrator.opus_cache.get(from_mp3) is None


def test_prune_keeps_the_opus_of_current_articles_and_removes_the_rest(app, client, runner, make_article):
    first = make_article(body_html="<p>Bài thứ nhất.</p>")
    second = make_article(body_html="<p>Bài thứ hai.</p>")
    assert runner.invoke(args=["tts", "prewarm", "--latest", "5"]).exit_code == 0
    opus_cache = app.extensions["docbai"].speech.narrator.opus_cache
    made = opus_cache.keys()
    assert len(made) == 2 * 2  # each article: its title, its sentence (the whole only when asked for)
    with app.app_context():
        from extensions import db
        from models import Article

        db.session.get(Article, first.id).body_html = "<p>Bài thứ nhất, đã sửa.</p>"
        db.session.commit()
        keep = app.extensions["docbai"].speech.keys_in_use([db.session.get(Article, second.id)])
    result = runner.invoke(args=["tts", "prune"])
    assert result.exit_code == 0, result.output
    left = opus_cache.keys()
    assert (made & keep) <= left and len(made & keep) == 2
    assert len(left) == 2 + 1  # and the first article's title, which it still says


def test_the_settings_page_says_the_data_saver_lightens_the_audio(client):
    html = client.get("/tuy-chon").get_data(as_text=True)
    assert "“Đọc bài” phát tệp âm thanh nhẹ hơn" in html
