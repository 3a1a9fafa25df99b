"""Speech services: gTTS faked at the HTTP layer (its own request and parsing code runs), espeak-ng for real."""
import base64
import io
import math
import struct
import threading
import time
from pathlib import Path

import lameenc
import pytest
import requests
import responses
from mutagen.mp3 import MP3

from services.speech import (
    GOOGLE_BREAKER,
    CircuitBreaker,
    EspeakEngine,
    GTTSEngine,
    Narrator,
    NothingToSpeak,
    SpeechError,
    audio_cache,
    engines_for_setting,
    narrator_for,
    pack_for_gtts,
)
from services.speech.article_audio import audio_duration_seconds

GOOGLE_TTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"

PARAGRAPH = (
    "Ngày mười sáu tháng mười một, Ủy ban nhân dân huyện Đồng Lâm tổ chức hội nghị tổng kết công tác năm, "
    "đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế xã hội. Đồng chí Chủ tịch phát biểu chỉ đạo, "
    "nhấn mạnh các nhiệm vụ trọng tâm trong thời gian tới, nhất là công tác cải cách hành chính."
)
from support import voice_one


def tone_mp3(seconds: float = 0.3, sample_rate: int = 24000, frequency: float = 440.0) -> bytes:
    """A short mono 32 kbps MP3 tone, shaped like what Google sends back."""
    samples = int(seconds * sample_rate)
    pcm = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * n / sample_rate))) for n in range(samples)
    )
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    return bytes(encoder.encode(pcm) + encoder.flush())


GOOGLE_MP3 = tone_mp3()


def google_reply(mp3: bytes = GOOGLE_MP3) -> str:
    """The body of a batchexecute answer as Google sends it, audio base64-encoded inside JSON inside JSON."""
    encoded = base64.b64encode(mp3).decode("ascii")
    return (
        ")]}'\n\n"
        f"{len(encoded) + 60}\n"
        f'[["wrb.fr","jQ1olc","[\\"{encoded}\\"]",null,null,null,"generic"],["di",52],["af.httprm",51,"1",2]]\n'
        "25\n"
        '[["e",4,null,null,1234]]\n'
    )


@pytest.fixture
def google():
    """Fake Google Translate: tests add replies with google.add(...); unused replies are allowed."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def google_works(google, mp3: bytes = GOOGLE_MP3) -> None:
    google.add(responses.POST, GOOGLE_TTS_URL, body=google_reply(mp3), content_type="application/json")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingEngine:
    """An engine that counts its calls and takes a while, to see single flight at work."""

    name = "counting"
    voice = "v1"

    def __init__(self, delay: float = 0.0, mp3: bytes = GOOGLE_MP3):
        self.delay = delay
        self.mp3 = mp3
        self.calls = 0
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> bytes:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self.mp3 + text.encode("utf-8")


def auto_narrator(cache_dir, clock=None) -> tuple[Narrator, CircuitBreaker]:
    """A narrator like TTS_ENGINE=auto, with a breaker of its own so tests do not share state."""
    breaker = CircuitBreaker(cooldown_seconds=300, clock=clock or FakeClock())
    narrator = Narrator(audio_cache(cache_dir), [GTTSEngine(), EspeakEngine()], {"gtts": breaker})
    return narrator, breaker


def test_pack_for_gtts_sends_whole_sentences_in_few_requests():
    pieces = pack_for_gtts(PARAGRAPH)
    assert all(len(piece) <= 100 for piece in pieces)
    assert " ".join(pieces) == PARAGRAPH
    assert len(pieces) == math.ceil(len(PARAGRAPH) / 100)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Một câu ngắn.", ["Một câu ngắn."]),
        ("  Khoảng   trắng \n thừa.  ", ["Khoảng trắng thừa."]),
        ("a" * 150, ["a" * 150]),  # one word longer than the limit: gTTS's own minimizer hard-cuts it
        ("Câu một. " * 30, ["Câu một. " * 10 + "Câu một.", "Câu một. " * 10 + "Câu một.", "Câu một. " * 7 + "Câu một."]),
    ],
)
def test_pack_for_gtts_table(text, expected):
    assert [piece.strip() for piece in pack_for_gtts(text)] == [piece.strip() for piece in expected]


def test_gtts_engine_runs_gtts_request_and_parsing_code(google):
    google_works(google)
    audio = GTTSEngine().synthesize(PARAGRAPH)
    # One request per 100 characters, not one per comma as gTTS's default tokenizer would make.
    assert len(google.calls) == 3
    assert audio == GOOGLE_MP3 * 3
    request = google.calls[0].request
    assert "jQ1olc" in requests.utils.unquote(request.body)
    assert '\\"vi\\"' in requests.utils.unquote(request.body)
    # A short timeout, never gTTS's default of waiting forever.
    assert google.calls[0].request.req_kwargs["timeout"] == (3.05, 10.0)


@pytest.mark.parametrize(
    "reply",
    [
        {"body": requests.ConnectionError("Name or service not known")},
        {"body": requests.Timeout("read timed out")},
        {"status": 500, "body": "Internal Server Error"},
        {"status": 200, "body": ")]}'\n\n[[\"wrb.fr\",\"jQ1olc\",null,null,null,[3],\"generic\"]]\n"},
    ],
    ids=["connection-error", "timeout", "http-500", "no-audio-in-reply"],
)
def test_gtts_engine_raises_speech_error_on_failure(google, reply):
    google.add(responses.POST, GOOGLE_TTS_URL, **reply)
    with pytest.raises(SpeechError, match="gTTS"):
        GTTSEngine().synthesize("Xin chào.")


@pytest.mark.parametrize("engine", [GTTSEngine(), EspeakEngine()], ids=["gtts", "espeak"])
@pytest.mark.parametrize("text", ["", "   ", "… — !?"])
def test_engines_refuse_text_with_nothing_to_say(engine, text):
    with pytest.raises(NothingToSpeak):
        engine.synthesize(text)


def test_espeak_engine_makes_mono_mp3_at_most_32_kbps(tmp_path):
    audio = EspeakEngine().synthesize("Ủy ban nhân dân huyện tổ chức hội nghị tổng kết năm hai nghìn không trăm hai mươi ba.")
    path = tmp_path / "speech.mp3"
    path.write_bytes(audio)
    info = MP3(path).info
    assert info.channels == 1
    assert info.bitrate <= 32000
    assert 2.0 < info.length < 15.0
    assert audio_duration_seconds(path) == pytest.approx(info.length)


def test_espeak_engine_raises_speech_error_when_missing():
    with pytest.raises(SpeechError, match="not installed"):
        EspeakEngine(executable="/nonexistent/espeak-ng").synthesize("Xin chào.")


@pytest.mark.parametrize("executable", ["false", "true"], ids=["exit-status-1", "no-output"])
def test_espeak_engine_raises_speech_error_when_it_fails(executable):
    with pytest.raises(SpeechError, match="espeak-ng"):
        EspeakEngine(executable=executable).synthesize("Xin chào.")


def test_audio_duration_of_a_non_mp3_is_a_value_error(tmp_path):
    path = tmp_path / "not.mp3"
    path.write_bytes(b"this is no audio")
    with pytest.raises(ValueError):
        audio_duration_seconds(path)


@pytest.mark.parametrize(
    "setting, names",
    [("auto", ["gtts", "espeak"]), ("gtts", ["gtts"]), ("espeak", ["espeak"]), (" ESPEAK ", ["espeak"]), ("", ["gtts", "espeak"])],
)
def test_engines_for_setting(setting, names):
    assert [engine.name for engine in engines_for_setting(setting)] == names


def test_engines_for_unknown_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="TTS_ENGINE"):
        engines_for_setting("festival")


def test_narrator_for_auto_uses_the_shared_google_breaker(tmp_path):
    # One breaker for the process: once Google fails for one narrator, every other one skips it too.
    narrator = narrator_for("auto", tmp_path / "one")
    other = narrator_for("auto", tmp_path / "two")
    assert narrator.breakers == {"gtts": GOOGLE_BREAKER}
    assert narrator.breakers["gtts"] is GOOGLE_BREAKER is other.breakers["gtts"]
    assert narrator_for("gtts", tmp_path).breakers == {}


def test_auto_uses_google_when_it_answers(google, tmp_path):
    google_works(google)
    narrator, breaker = auto_narrator(tmp_path)
    audio = voice_one(narrator, "Xin chào bà con.")
    assert audio.engine == "gtts"
    assert audio.path.read_bytes() == GOOGLE_MP3


@pytest.mark.parametrize(
    "failure",
    [{"body": requests.ConnectionError("offline")}, {"status": 500}],
    ids=["connection-error", "http-500"],
)
def test_auto_falls_back_to_espeak_and_the_breaker_skips_google_afterwards(google, tmp_path, failure):
    google.add(responses.POST, GOOGLE_TTS_URL, **failure)
    clock = FakeClock()
    narrator, breaker = auto_narrator(tmp_path, clock)

    first = voice_one(narrator, "Đoạn thứ nhất.")
    assert first.engine == "espeak"
    assert MP3(first.path).info.channels == 1
    assert len(google.calls) == 1
    assert not breaker.allows()

    second = voice_one(narrator, "Đoạn thứ hai.")
    assert second.engine == "espeak"
    assert len(google.calls) == 1, "the open breaker must spare the second request the wait on Google"

    clock.now += 301
    google.replace(responses.POST, GOOGLE_TTS_URL, body=google_reply(), content_type="application/json")
    third = voice_one(narrator, "Đoạn thứ ba.")
    assert third.engine == "gtts"
    assert len(google.calls) == 2
    assert breaker.allows()


def test_google_audio_already_cached_is_served_while_the_breaker_is_open(google, tmp_path):
    google_works(google)
    narrator, breaker = auto_narrator(tmp_path)
    cached = voice_one(narrator, "Xin chào bà con.")
    breaker.record_failure()
    again = voice_one(narrator, "Xin chào bà con.")
    assert again == cached
    assert len(google.calls) == 1


def test_audio_cached_from_espeak_is_kept_when_google_comes_back(google, tmp_path):
    # Google was away when the article was first heard; later it answers again. The versioned URLs
    # already handed out must go on naming the same bytes, so nothing is made anew.
    segments = ["Tiêu đề bài viết.", "Đoạn một."]
    google.add(responses.POST, GOOGLE_TTS_URL, body=requests.ConnectionError("offline"))
    narrator, breaker = auto_narrator(tmp_path)
    first = narrator.article_audio(segments)
    first_bytes = _whole_bytes(first)
    assert first.engine == "espeak"

    breaker.record_success()
    google.replace(responses.POST, GOOGLE_TTS_URL, body=google_reply(), content_type="application/json")
    calls = len(google.calls)
    again = narrator.article_audio(segments)
    segment = voice_one(narrator, segments[1])

    assert again == first
    assert _whole_bytes(again) == first_bytes
    assert segment.engine == "espeak"
    assert len(google.calls) == calls


def test_gtts_alone_raises_when_google_fails(google, tmp_path):
    google.add(responses.POST, GOOGLE_TTS_URL, body=requests.ConnectionError("offline"))
    narrator = Narrator(audio_cache(tmp_path), [GTTSEngine()])
    with pytest.raises(SpeechError, match="gTTS"):
        voice_one(narrator, "Xin chào.")
    assert list(tmp_path.glob("*.mp3")) == []


def _whole_bytes(audio) -> bytes:
    return b"".join(path.read_bytes() for path in audio.paths)


def test_article_audio_is_the_segments_of_one_engine_stored_once(google, tmp_path):
    # Google answers the title, then fails: the whole file must not mix Google's and espeak-ng's audio.
    google.add(responses.POST, GOOGLE_TTS_URL, body=google_reply(), content_type="application/json")
    google.add(responses.POST, GOOGLE_TTS_URL, status=500)
    narrator, breaker = auto_narrator(tmp_path)
    segments = ["Tiêu đề bài viết.", "Đoạn một.", "…", "Đoạn hai."]

    article = narrator.article_audio(segments)

    assert article.engine == "espeak"
    espeak = narrator.engines[1]
    parts = [audio_cache(tmp_path).get(narrator.segment_key(espeak, text)) for text in segments if text != "…"]
    # The whole file is the segment files in order; no second copy of it is stored.
    assert article.paths == tuple(parts)
    assert len(audio_cache(tmp_path).keys()) == len(parts) + 1  # and Google's title
    whole = _whole_bytes(article)
    info = MP3(io.BytesIO(whole)).info
    assert info.channels == 1 and info.bitrate <= 32000
    assert info.length == pytest.approx(sum(MP3(part).info.length for part in parts), abs=0.1)
    # The one segment Google did speak stays cached for the per-segment player.
    google_made = [text for text in segments if audio_cache(tmp_path).get(narrator.segment_key(narrator.engines[0], text))]
    assert len(google_made) == 1


def test_after_google_fails_the_rest_of_the_article_does_not_wait_on_it(google, tmp_path):
    google.add(responses.POST, GOOGLE_TTS_URL, body=requests.ConnectionError("offline"))
    narrator, breaker = auto_narrator(tmp_path)
    segments = [f"Đoạn số {word}." for word in ("một hai ba bốn năm sáu bảy tám chín mười".split())] * 3

    article = narrator.article_audio(segments)

    assert article.engine == "espeak"
    # Segments are made one after another: after the first failure Google is not asked again.
    assert len(google.calls) == 1


def test_article_with_nothing_to_say_is_refused(tmp_path):
    narrator = Narrator(audio_cache(tmp_path), [CountingEngine()])
    with pytest.raises(NothingToSpeak):
        narrator.article_audio(["…", "  "])


def test_cache_hit_does_not_call_the_engine_again(tmp_path):
    engine = CountingEngine()
    narrator = Narrator(audio_cache(tmp_path), [engine])
    first = voice_one(narrator, "Xin chào.")
    modified = first.path.stat().st_mtime_ns
    second = voice_one(Narrator(audio_cache(tmp_path), [engine]), "  Xin chào.  ")
    assert second == first
    assert engine.calls == 1
    assert first.path.stat().st_mtime_ns == modified


def test_changed_text_engine_or_voice_gives_another_key():
    engine = CountingEngine()
    other_voice = CountingEngine()
    other_voice.voice = "v2"
    keys = {
        Narrator.segment_key(engine, "Xin chào."),
        Narrator.segment_key(engine, "Xin chào!"),
        Narrator.segment_key(other_voice, "Xin chào."),
        Narrator.segment_key(EspeakEngine(), "Xin chào."),
        Narrator.article_key(engine, ["Xin chào."]),
        Narrator.article_key(engine, ["Xin", "chào."]),
    }
    assert len(keys) == 6


def test_single_flight_across_threads(tmp_path, at_once):
    engine = CountingEngine(delay=0.3)
    narrator = Narrator(audio_cache(tmp_path), [engine])
    results = at_once(8, lambda: voice_one(narrator, "Cùng một đoạn.").path.read_bytes())
    assert engine.calls == 1
    assert len(set(results)) == 1


def test_prune_keeps_current_audio_and_removes_the_rest(tmp_path):
    cache = audio_cache(tmp_path)
    narrator = Narrator(cache, [CountingEngine()])
    current = ["Tiêu đề mới.", "Đoạn mới."]
    narrator.article_audio(current)
    old = narrator.article_audio(["Tiêu đề cũ.", "Đoạn mới."])

    result = cache.prune(keep=narrator.keys_for(current))

    assert cache.keys() == narrator.keys_for(current)
    assert not any(path.exists() for path in old.paths[:1])
    assert result.removed_files == 1  # the old title; the shared body segment stays


def test_breaker_opens_for_the_cooldown_then_closes():
    clock = FakeClock()
    breaker = CircuitBreaker(cooldown_seconds=60, clock=clock)
    assert breaker.allows()
    breaker.record_failure()
    assert not breaker.allows()
    clock.now += 59
    assert not breaker.allows()
    clock.now += 1
    assert breaker.allows()
    assert not breaker.allows()  # half-open: one trial at a time
    breaker.record_failure()
    assert not breaker.allows()
    breaker.record_success()
    assert breaker.allows()


def test_synthesize_falls_back_without_touching_the_cache(google, tmp_path):
    google.add(responses.POST, GOOGLE_TTS_URL, status=503)
    narrator, breaker = auto_narrator(tmp_path)
    spoken = narrator.synthesize("Xin chào bà con.")
    assert spoken.engine == "espeak"
    assert spoken.mp3[:2] in (b"\xff\xf3", b"\xff\xfb", b"\xff\xf2", b"ID")
    assert not any(Path(tmp_path).glob("*.mp3"))
