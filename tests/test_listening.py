"""Listening: the article's audio over HTTP (whole, per segment, Range, caching), the player's HTML, the CLI."""
import io
import re
import threading
from pathlib import Path

import pytest
import responses
from mutagen.mp3 import MP3

from blueprints.listening import DEFAULT_SPEED, PLAYBACK_SPEEDS
from extensions import db
from models import Article
from services.infra.static_files import csp_hash_source
from services.speech import CircuitBreaker, EspeakEngine, GTTSEngine, Narrator, SpeechError, audio_cache
from support import add_lexicon_entries, use_voice
from test_speech import GOOGLE_TTS_URL, google_reply, tone_mp3

LONG_BODY = (
    "<p>Ngày 16/11/2023, UBND huyện tổ chức hội nghị tổng kết công tác năm 2023.</p>"
    "<figure><img src=\"/media/a.jpg\" alt=\"Hội nghị\" width=\"4\" height=\"3\"><figcaption>Quang cảnh hội nghị.</figcaption></figure>"
    "<p>Tổng thu ngân sách đạt 105% kế hoạch, tăng 12,5% so với cùng kỳ.</p>"
    "<p>Hội nghị đề ra 21 chỉ tiêu cho năm 2024.</p>"
)


SHORT_MP3 = tone_mp3(seconds=1.0)


class CountingEngine:
    name = "counting"
    voice = "test"

    def __init__(self, mp3: bytes):
        self.mp3 = mp3
        self.calls = 0
        self._lock = threading.Lock()

    def synthesize(self, text):
        with self._lock:
            self.calls += 1
        return self.mp3


class BrokenEngine:
    name = "broken"
    voice = "none"

    def synthesize(self, text):
        raise SpeechError("broken: no voice today")


@pytest.fixture
def article(make_article):
    return make_article(body_html=LONG_BODY)


def _speech(app):
    return app.extensions["docbai"].speech


def _segments(app, slug):
    with app.app_context():
        return _speech(app).segments(db.session.execute(db.select(Article).filter_by(slug=slug)).scalar_one())


def test_article_page_plays_without_javascript(client, article):
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    audio = re.search(r"<audio[^>]*>", html).group(0)
    assert "controls" in audio and 'preload="none"' in audio
    source = re.search(r'src="([^"]+)"', audio).group(1)
    assert source.startswith(f"/bai-viet/{article.slug}/nghe.mp3?v=")
    download = re.search(r'<a href="([^"]+)" download>', html).group(1)
    assert "tai_ve=1" in download
    assert 'href="#nghe-bai"' in html and 'id="nghe-bai"' in html
    # The audio and the download answer with audio: what the reader without JavaScript gets is real.
    assert client.get(source.replace("&amp;", "&")).mimetype == "audio/mpeg"
    assert client.get(download.replace("&amp;", "&")).mimetype == "audio/mpeg"


def test_article_page_has_no_inline_script_but_its_import_map(client, article):
    response = client.get(f"/bai-viet/{article.slug}")
    html = response.get_data(as_text=True)
    # The scripts are ES modules (deferred by nature) or deferred classic scripts; the one inline <script> is the
    # import map, data the CSP allows by its hash (web/assets.py says why it is there).
    tags = re.findall(r"<script[^>]*>", html)
    assert tags.count('<script type="importmap">') == 1
    for tag in tags:
        if tag != '<script type="importmap">':
            assert "src=" in tag and ("defer" in tag or 'type="module"' in tag), tag
    import_map = re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1)
    script_src = next(part for part in response.headers["Content-Security-Policy"].split(";")
                      if part.strip().startswith("script-src"))
    assert script_src.split()[1:] == ["'self'", csp_hash_source(import_map)]
    assert not re.search(r"\son[a-z]+=", html)
    assert re.search(r'<script type="module" src="/static/js/player\.js\?v=[0-9a-f]{12}"></script>', html)
    # Its modules are fetched with the page rather than one import after another.
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/player/([a-z]+\.js)\?v=[0-9a-f]{12}">', html)
    assert {"controller.js", "locator.js", "sources.js"} <= set(preloaded)


def test_the_speeds_have_one_home(client, article):
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    select = re.search(r'<select data-action="speed">(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', select)
    assert [value for value, _, _ in options] == list(PLAYBACK_SPEEDS)
    assert [label for _, _, label in options] == ["0,75×", "1×", "1,25×", "1,5×", "1,75×", "2×"]
    assert [value for value, selected, _ in options if selected] == [DEFAULT_SPEED]
    # player.js reads them from these options: no second list in the scripts.
    scripts = Path(__file__).resolve().parent.parent / "static" / "js"
    for script in scripts.rglob("*.js"):
        assert '"1.75"' not in script.read_text(encoding="utf-8"), script


def test_article_body_blocks_are_numbered_for_the_player(client, article):
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r'data-seg="(\d+)"', html)]
    assert numbers[0] == 0
    # Every block the segment list reads a sentence from is marked, and only those.
    blocks = {segment["block"] for segment in client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()["segments"]}
    assert sorted(numbers) == sorted(blocks)


def test_whole_article_audio(client, article):
    response = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"]
    assert "no-cache" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"] == f"inline; filename={article.slug}.mp3"
    info = MP3(io.BytesIO(response.data)).info
    assert info.channels == 1 and info.bitrate <= 32000
    assert info.length > 3


def test_download_is_an_attachment_with_an_ascii_name(client, make_article):
    article = make_article(slug="hội-nghị-tổng-kết-năm")
    response = client.get(f"/bai-viet/{article.slug}/nghe.mp3?tai_ve=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=hoi-nghi-tong-ket-nam.mp3"
    disposition.encode("ascii")


def test_versioned_audio_may_be_kept_by_the_browser(client, article):
    manifest = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    response = client.get(manifest["audio"])
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=604800" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "range_header, part",
    [("bytes=0-99", slice(0, 100)), ("bytes=100-", slice(100, None)), ("bytes=-50", slice(-50, None))],
)
def test_range_requests(client, article, range_header, part):
    whole = client.get(f"/bai-viet/{article.slug}/nghe.mp3").data
    response = client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"Range": range_header})
    assert response.status_code == 206
    assert response.data == whole[part]
    positions = range(len(whole))[part]
    assert response.headers["Content-Range"] == f"bytes {positions[0]}-{positions[-1]}/{len(whole)}"


def test_range_beyond_the_end_is_416(client, article):
    response = client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416


def test_if_none_match_gives_304(client, article):
    first = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    again = client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_manifest_lists_every_segment_with_working_urls(client, app, article):
    response = client.get(f"/bai-viet/{article.slug}/nghe.json")
    assert response.status_code == 200
    manifest = response.get_json()
    segments = _segments(app, article.slug)
    assert [segment["index"] for segment in manifest["segments"]] == list(range(len(segments)))
    assert manifest["title"] == article.title
    first = client.get(manifest["segments"][0]["url"])
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    assert MP3(io.BytesIO(first.data)).info.length > 0.5


def test_a_head_request_never_makes_audio(client, app, article):
    engine = CountingEngine(SHORT_MP3)
    use_voice(app, engine)
    for path in ("nghe/1.mp3", "nghe.mp3"):
        head = client.head(f"/bai-viet/{article.slug}/{path}")
        assert head.status_code == 202 and head.data == b"" and head.headers["Retry-After"]
    assert engine.calls == 0
    assert client.get(f"/bai-viet/{article.slug}/nghe/1.mp3").status_code == 200
    # Once made, HEAD answers from the cache.
    head = client.head(f"/bai-viet/{article.slug}/nghe/1.mp3")
    assert head.status_code == 200 and head.mimetype == "audio/mpeg" and head.data == b""


@pytest.mark.parametrize("path", ["nghe/99.mp3", "nghe/-1.mp3", "nghe/abc.mp3", "nghe/1.5.mp3", "nghe/.mp3"])
def test_bad_segment_numbers_are_404(client, article, path):
    response = client.get(f"/bai-viet/{article.slug}/{path}")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["nghe.mp3", "nghe.json", "nghe/0.mp3"])
def test_missing_and_draft_articles_are_404(client, make_article, path):
    draft = make_article(status="draft")
    assert client.get(f"/bai-viet/khong-co-bai-nay/{path}").status_code == 404
    assert client.get(f"/bai-viet/{draft.slug}/{path}").status_code == 404


def test_cached_audio_is_not_made_again(client, app, article):
    engine = CountingEngine(SHORT_MP3)
    use_voice(app, engine)
    first = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    calls = engine.calls
    assert calls == len(_segments(app, article.slug))
    second = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert second.data == first.data
    assert engine.calls == calls
    # The segments made for the whole file serve the player too.
    client.get(f"/bai-viet/{article.slug}/nghe/2.mp3")
    assert engine.calls == calls


def test_versioned_audio_keeps_its_bytes_when_google_comes_back(client, app, article):
    # Made by espeak-ng while Google was away, then TTS_ENGINE=auto with Google reachable again: a URL
    # browsers and podcast apps keep for days must go on naming the same bytes.
    manifest = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    before = client.get(manifest["audio"])
    segment_before = client.get(manifest["segments"][1]["url"])
    _speech(app).narrator = Narrator(
        audio_cache(app.config["AUDIO_CACHE_DIR"]),
        [GTTSEngine(), EspeakEngine()],
        {"gtts": CircuitBreaker()},
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google.add(responses.POST, GOOGLE_TTS_URL, body=google_reply(), content_type="application/json")
        after = client.get(manifest["audio"])
        segment_after = client.get(manifest["segments"][1]["url"])
        assert len(google.calls) == 0
    assert after.status_code == 200
    assert after.data == before.data
    assert after.headers["ETag"] == before.headers["ETag"]
    assert segment_after.data == segment_before.data
    assert segment_after.headers["ETag"] == segment_before.headers["ETag"]


def test_editing_an_article_makes_new_audio(client, app, article):
    before = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    old_audio = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    with app.app_context():
        stored = db.session.get(Article, article.id)
        stored.body_html = LONG_BODY.replace("21 chỉ tiêu", "25 chỉ tiêu")
        db.session.commit()
    after = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    new_audio = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert after["version"] != before["version"]
    assert after["audio"] != before["audio"]
    assert new_audio.headers["ETag"] != old_audio.headers["ETag"]
    assert client.get(f"/bai-viet/{article.slug}/nghe.mp3",
                      headers={"If-None-Match": old_audio.headers["ETag"]}).status_code == 200


def test_concurrent_listeners_make_the_audio_once(app, article, at_once):
    engine = CountingEngine(SHORT_MP3)
    use_voice(app, engine)
    bodies = at_once(6, lambda: app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3").data)
    assert len(set(bodies)) == 1 and len(bodies[0]) > 1000
    assert engine.calls == len(_segments(app, article.slug))


@pytest.mark.parametrize("path", ["nghe.mp3", "nghe/0.mp3"])
def test_speech_failure_is_a_vietnamese_503(client, app, article, path):
    use_voice(app, BrokenEngine())
    response = client.get(f"/bai-viet/{article.slug}/{path}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    text = response.get_data(as_text=True)
    assert "Chưa đọc được bài này" in text and "Traceback" not in text


def test_speak_text_only_prints_the_spoken_form(runner):
    result = runner.invoke(args=["speak", "--text-only", "Ngày 16/11/2023, UBND huyện họp."])
    assert result.exit_code == 0, result.output
    assert "mười sáu" in result.output
    assert not re.search(r"\d", result.output)


def test_speak_writes_an_mp3(runner, tmp_path):
    folder = tmp_path / "ra"
    folder.mkdir()
    out = folder / "loi-chao.mp3"
    result = runner.invoke(args=["speak", "Xin chào bà con huyện Đồng Lâm.", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = MP3(out).info
    assert info.channels == 1 and info.bitrate <= 32000
    assert [path.name for path in folder.iterdir()] == ["loi-chao.mp3"], "no temp file left behind"


@pytest.mark.parametrize("args, exit_code, message", [
    (["speak", "Xin chào."], 2, "Cần -o TỆP.mp3"),
    (["speak", "…", "-o", "x.mp3"], 1, "Không có chữ nào để đọc."),
])
def test_speak_refuses_what_it_cannot_do(runner, args, exit_code, message):
    result = runner.invoke(args=args)
    # A clean refusal is click's own exit (SystemExit), never an exception escaping the command.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == exit_code
    assert message in result.output


def test_tts_prewarm_then_prune(runner, app, make_article):
    first = make_article(body_html="<p>Bài thứ nhất.</p>")
    second = make_article(body_html="<p>Bài thứ hai.</p>")
    result = runner.invoke(args=["tts", "prewarm", "--latest", "5"])
    assert result.exit_code == 0, result.output
    assert "Đã có âm thanh cho 2 bài" in result.output
    cache = audio_cache(app.config["AUDIO_CACHE_DIR"])
    speech = _speech(app)
    with app.app_context():
        keep_second = speech.keys_in_use([db.session.get(Article, second.id)])
        stored = db.session.get(Article, first.id)
        stored.body_html = "<p>Bài thứ nhất, đã sửa.</p>"
        db.session.commit()
        keep_first = speech.keys_in_use([stored])
    assert keep_second & cache.keys()
    made = cache.keys()

    result = runner.invoke(args=["tts", "prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa" in result.output
    left = cache.keys()
    assert left < made
    assert left <= keep_first | keep_second
    assert keep_second & cache.keys() == keep_second & made



def test_an_editors_lexicon_entry_changes_what_is_spoken(app, client, make_article):
    article = make_article(title="Tin từ ĐTĐL", body_html="<p>Hội nghị của ĐTĐL.</p>")
    before = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    add_lexicon_entries(app, "ĐTĐL\tĐoàn thanh niên Đồng Lâm\n")
    after = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    assert before["version"] != after["version"]  # new words, new audio
    with app.app_context():
        stored = db.session.get(Article, article.id)
        assert _speech(app).segments(stored)[1] == "Hội nghị của Đoàn thanh niên Đồng Lâm."
    result = app.test_cli_runner().invoke(args=["speak", "--text-only", "ĐTĐL họp."])
    assert "Đoàn thanh niên Đồng Lâm" in result.output
