"""Speech engines: each turns Vietnamese text that is already spelled out into MP3 bytes, or raises SpeechError."""
from __future__ import annotations

import io
import math
import re
import subprocess
import wave
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

# numpy, lameenc and gTTS (with requests) are imported where audio is made, not with this module: a web worker
# that only serves pages needs the engines' names and errors, and those libraries cost it about 40 MB.

# gTTS's own limit on the characters of one request (gTTS.GOOGLE_TTS_MAX_CHARS, written out so that importing
# this module does not import gTTS).
GOOGLE_TTS_MAX_CHARS = 100

# 24 kbps mono is 180 KB per minute of speech, a quarter under the 240 KB budget of a listener on 3G;
# espeak-ng's 22 kHz voice loses nothing audible against 32 kbps (Google's own MP3s stay at 32).
MP3_BITRATE_KBPS = 24

# One loudness for every engine that hands over PCM, so switching engine does not change the volume: the RMS
# of the speech (its 20 ms blocks above a silence gate, so pauses do not count) is brought to -21 dBFS, about
# where Google's voice sits and the level of spoken-word broadcasts. Piper's peaks stand up to 23 dB above its
# RMS, so the rare samples above -6 dBFS (about 0.15 % of them) are bent under a -1 dBFS ceiling by a soft
# knee rather than turning the whole voice down; no sample reaches full scale. A signal that would need more
# than 6 dB of that is turned down instead.
SPEECH_RMS_DBFS = -21.0
PEAK_CEILING_DBFS = -1.0
KNEE_DBFS = -6.0
MOST_LIMITING_DB = 6.0
SILENCE_GATE_DBFS = -45.0
# Part of each engine's voice (so of the cache key): audio levelled another way is made again.
LEVELLING = f"rms{SPEECH_RMS_DBFS:g}knee{KNEE_DBFS:g}peak{PEAK_CEILING_DBFS:g}"
FULL_SCALE = 32768.0


class SpeechError(Exception):
    """An engine could not turn text into audio; the message says which engine and why."""


class NothingToSpeak(ValueError):
    """The text holds no letter or digit, so there is nothing an engine could say."""


class SpeechEngine(Protocol):
    """What the narrator needs from an engine; a better engine is added by writing one more of these."""

    name: str  # short and stable: it is part of the cache key
    voice: str  # everything besides the text that changes the sound; also part of the cache key

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes (mono, at most 32 kbps) of text spoken aloud; raises SpeechError on failure."""
        ...


def is_speakable(text: str) -> bool:
    """True when the text holds a letter or digit, something an engine can say."""
    return any(character.isalnum() for character in text)


def require_speakable(text: str) -> str:
    """The text stripped, or NothingToSpeak when no letter or digit is left to say."""
    text = text.strip()
    if not is_speakable(text):
        raise NothingToSpeak("nothing to speak")
    return text


# Strongest break first: sentence ends, then commas, then any space.
_BREAKS = (
    re.compile(r"(?<=[.!?…;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+"),
)


def pack_for_gtts(text: str, limit: int = GOOGLE_TTS_MAX_CHARS) -> list[str]:
    """Cut text into as few pieces of at most `limit` characters as possible, each cut at the strongest break."""
    # Hand-written because gTTS's own tokenizer cuts at every comma, turning one news sentence into
    # several round trips to Google; packing whole sentences keeps a paragraph to len/100 requests.
    def pieces(fragment: str, level: int) -> list[str]:
        if len(fragment) <= limit or level == len(_BREAKS):
            return [fragment]  # a word longer than the limit is hard-cut later by gTTS itself
        return [piece for part in _BREAKS[level].split(fragment) for piece in pieces(part, level + 1)]

    chunks: list[str] = []
    for piece in pieces(" ".join(text.split()), 0):
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return [chunk for chunk in chunks if chunk]


def dbfs(amplitude: float) -> float:
    """An amplitude of 16-bit audio in decibels relative to full scale."""
    return 20.0 * math.log10(max(amplitude, 1e-9) / FULL_SCALE)


def speech_rms(samples: np.ndarray, sample_rate: int) -> float:
    """RMS of the spoken part of 16-bit samples: the 20 ms blocks louder than the silence gate, or 0.0 if none."""
    import numpy as np

    block = max(1, sample_rate // 50)
    usable = len(samples) - len(samples) % block
    if usable == 0:
        return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    powers = np.mean(np.square(samples[:usable].reshape(-1, block), dtype=np.float64), axis=1)
    gate = (FULL_SCALE * 10 ** (SILENCE_GATE_DBFS / 20)) ** 2
    spoken = powers[powers > gate]
    return float(np.sqrt(spoken.mean())) if len(spoken) else 0.0


def level_speech(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """16-bit samples brought to the common speech level, their peaks bent under the ceiling (silence left as is)."""
    import numpy as np

    samples = np.asarray(samples, dtype=np.int16)
    rms = speech_rms(samples, sample_rate)
    peak = float(np.max(np.abs(samples.astype(np.int32)))) if len(samples) else 0.0
    if rms == 0.0 or peak == 0.0:
        return samples
    ceiling = FULL_SCALE * 10 ** (PEAK_CEILING_DBFS / 20)
    knee = FULL_SCALE * 10 ** (KNEE_DBFS / 20)
    gain = min(FULL_SCALE * 10 ** (SPEECH_RMS_DBFS / 20) / rms, ceiling * 10 ** (MOST_LIMITING_DB / 20) / peak)
    scaled = samples * gain
    magnitude = np.abs(scaled)
    loud = magnitude > knee
    # tanh runs from the knee towards the ceiling without reaching it: smooth, and never full scale.
    magnitude[loud] = knee + (ceiling - knee) * np.tanh((magnitude[loud] - knee) / (ceiling - knee))
    return np.round(np.copysign(magnitude, scaled)).astype(np.int16)


def pcm_to_mp3(samples: np.ndarray, sample_rate: int, bitrate_kbps: int = MP3_BITRATE_KBPS) -> bytes:
    """MP3 bytes (mono, CBR) of 16-bit mono samples, levelled to the common speech level first."""
    return levelled_to_mp3(level_speech(samples, sample_rate), sample_rate, bitrate_kbps)


def levelled_to_mp3(levelled: np.ndarray, sample_rate: int, bitrate_kbps: int = MP3_BITRATE_KBPS) -> bytes:
    """MP3 bytes (mono, CBR) of 16-bit mono samples already at the common speech level."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(2)  # 2 = high quality; the encoder still runs about 300 times faster than real time
    pcm = levelled.astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


class PcmEngine:
    """An engine that makes 16-bit mono samples itself, levelled and encoded here to MP3 at bitrate_kbps."""

    bitrate_kbps: int = MP3_BITRATE_KBPS

    def speech_samples(self, text: str) -> tuple[np.ndarray, int]:
        """The engine's 16-bit mono samples of text and their sample rate, before levelling."""
        raise NotImplementedError

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes (mono, CBR at bitrate_kbps) of the engine's speech; raises SpeechError on failure."""
        samples, sample_rate = self.speech_samples(text)
        return pcm_to_mp3(samples, sample_rate, self.bitrate_kbps)

    def synthesize_keeping_samples(self, text: str) -> tuple[bytes, np.ndarray, int]:
        """The MP3 bytes of synthesize() with the levelled samples they were made of and their rate, so the data
        saver's Opus can be made from the same samples rather than from the MP3; raises SpeechError on failure."""
        samples, sample_rate = self.speech_samples(text)
        levelled = level_speech(samples, sample_rate)
        return levelled_to_mp3(levelled, sample_rate, self.bitrate_kbps), levelled, sample_rate


class GTTSEngine:
    """Google Translate's Vietnamese voice through gTTS: the better voice, but it needs the internet."""

    name = "gtts"

    def __init__(self, lang: str = "vi", tld: str = "com", timeout: tuple[float, float] = (3.05, 10.0)):
        self.lang = lang
        self.tld = tld
        # (connect, read) seconds; gTTS's default of None would let one dead connection hang a worker forever.
        self.timeout = timeout
        self.voice = f"{lang}@translate.google.{tld}"

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes from Google (mono, 32 kbps, 24 kHz); raises SpeechError when Google cannot be reached."""
        import requests
        from gtts import gTTS, gTTSError
        from gtts.tokenizer import pre_processors

        text = require_speakable(text)
        tts = gTTS(
            text,
            lang=self.lang,
            tld=self.tld,
            lang_check=False,  # the language list is fixed; checking it buys nothing
            # gTTS's other pre-processors expand English abbreviations and can drop a sentence's full stop.
            pre_processor_funcs=[pre_processors.tone_marks, pre_processors.end_of_line],
            tokenizer_func=pack_for_gtts,
            timeout=self.timeout,
        )
        try:
            audio = b"".join(tts.stream())
        # stream() wraps request failures in gTTSError, but a connection that dies mid-body surfaces as requests'.
        except (gTTSError, requests.RequestException) as error:
            raise SpeechError(f"gTTS: {error}") from error
        if not audio:
            raise SpeechError("gTTS: Google answered without audio")
        return audio


class EspeakEngine(PcmEngine):
    """espeak-ng's Vietnamese voice, run locally: robotic but always there and fast."""

    name = "espeak"

    def __init__(
        self,
        voice: str = "vi",
        words_per_minute: int = 175,
        bitrate_kbps: int = MP3_BITRATE_KBPS,
        executable: str = "espeak-ng",
        timeout: float = 60.0,
        amplitude: int = 70,
    ):
        self.voice_name = voice
        self.words_per_minute = words_per_minute
        self.bitrate_kbps = bitrate_kbps
        self.executable = executable
        self.timeout = timeout
        # espeak-ng's default of 100 drives its Vietnamese voice into its own limiter (peaks at 32743, runs of
        # flattened samples); at 70 the loudest vowel stays near -2.5 dBFS and level_speech does the rest.
        self.amplitude = amplitude
        self.voice = f"{voice} {words_per_minute}wpm a{amplitude} {bitrate_kbps}kbps {LEVELLING}"

    def speech_samples(self, text: str) -> tuple[np.ndarray, int]:
        """espeak-ng's 16-bit mono samples of text and their sample rate, before levelling."""
        text = require_speakable(text)
        command = [
            self.executable,
            "-v", self.voice_name,
            "-s", str(self.words_per_minute),
            "-a", str(self.amplitude),
            "-b", "1",  # the text is UTF-8
            "--stdin",  # text through stdin: no argument-length limit, and a leading "-" is not an option
            "--stdout",
        ]
        try:
            result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout)
        except FileNotFoundError as error:
            raise SpeechError(f"espeak-ng: {self.executable} is not installed") from error
        except subprocess.TimeoutExpired as error:
            raise SpeechError(f"espeak-ng: no audio after {self.timeout:g} s") from error
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip() or f"exit status {result.returncode}"
            raise SpeechError(f"espeak-ng: {message}")
        return self._wav_samples(result.stdout)

    @staticmethod
    def _wav_samples(wav_bytes: bytes) -> tuple[np.ndarray, int]:
        import numpy as np

        try:
            with wave.open(io.BytesIO(wav_bytes)) as wav:
                channels, sample_width, sample_rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
                # espeak-ng streams its WAV with a huge placeholder nframes; readframes stops at the real end.
                pcm = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as error:
            raise SpeechError(f"espeak-ng: output is not a WAV file ({error})") from error
        if sample_width != 2 or channels != 1 or not pcm:
            raise SpeechError("espeak-ng: expected 16-bit mono audio")
        return np.frombuffer(pcm, dtype="<i2"), sample_rate
