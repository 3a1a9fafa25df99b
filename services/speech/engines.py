"""Speech engines: each turns Vietnamese text that is already spelled out into MP3 bytes, or raises SpeechError."""
from __future__ import annotations

import io
import re
import subprocess
import wave
from typing import Protocol

import lameenc
import requests
from gtts import gTTS, gTTSError
from gtts.tokenizer import pre_processors

# 24 kbps mono is 180 KB per minute of speech, a quarter under the 240 KB budget of a listener on 3G;
# espeak-ng's 22 kHz voice loses nothing audible against 32 kbps (Google's own MP3s stay at 32).
MP3_BITRATE_KBPS = 24


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


def pack_for_gtts(text: str, limit: int = gTTS.GOOGLE_TTS_MAX_CHARS) -> list[str]:
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


class EspeakEngine:
    """espeak-ng's Vietnamese voice, run locally: robotic but always there and fast."""

    name = "espeak"

    def __init__(
        self,
        voice: str = "vi",
        words_per_minute: int = 175,
        bitrate_kbps: int = MP3_BITRATE_KBPS,
        executable: str = "espeak-ng",
        timeout: float = 60.0,
    ):
        self.voice_name = voice
        self.words_per_minute = words_per_minute
        self.bitrate_kbps = bitrate_kbps
        self.executable = executable
        self.timeout = timeout
        self.voice = f"{voice} {words_per_minute}wpm {bitrate_kbps}kbps"

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes (mono, CBR at bitrate_kbps) of espeak-ng's WAV; raises SpeechError if espeak-ng fails."""
        text = require_speakable(text)
        command = [
            self.executable,
            "-v", self.voice_name,
            "-s", str(self.words_per_minute),
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
        return self._wav_to_mp3(result.stdout)

    def _wav_to_mp3(self, wav_bytes: bytes) -> bytes:
        try:
            with wave.open(io.BytesIO(wav_bytes)) as wav:
                channels, sample_width, sample_rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
                # espeak-ng streams its WAV with a huge placeholder nframes; readframes stops at the real end.
                pcm = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as error:
            raise SpeechError(f"espeak-ng: output is not a WAV file ({error})") from error
        if sample_width != 2 or channels != 1 or not pcm:
            raise SpeechError("espeak-ng: expected 16-bit mono audio")
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(self.bitrate_kbps)
        encoder.set_in_sample_rate(sample_rate)
        encoder.set_channels(1)
        encoder.set_quality(2)  # 2 = high quality; the encoder still runs about 300 times faster than real time
        return bytes(encoder.encode(pcm) + encoder.flush())
