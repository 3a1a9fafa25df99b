"""Opus: the lighter audio a listener on a slow link gets under the data saver, made from the same speech as the
MP3s (the engine's own samples where it gives them, else the MP3 decoded) by libsndfile, inside soundfile's wheel.

Why Ogg Opus and not WebM: Chrome (Android's too, for years) and Firefox play Ogg Opus in <audio>, and Safari
from 17; Safari's WebM Opus is newer and partial on iPhones, and a browser that cannot play it says so through
canPlayType, so it keeps the MP3. Why libsndfile: the site already ships it for the bulletin (soundfile), it
writes Ogg Opus since 1.0.29 (the wheel has 1.2.2) and decodes MP3, so no ffmpeg or other encoder is needed.
It offers no "VoIP" mode, only a target bitrate (as a compression level); at 16 kHz and 11 kbit/s Opus codes
speech with its SILK layer anyway, the layer its VoIP mode favours."""
from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# soundfile, soxr and numpy are imported where Opus is made (engines.py says why).

OPUS_SUFFIX = ".opus"
OPUS_MIMETYPE = "audio/ogg"
# What the player and the page's <source type> ask the browser about: the container and the codec.
OPUS_SOURCE_TYPE = "audio/ogg; codecs=opus"
# Wideband (speech up to 8 kHz, all a voice needs to be clear) at a target of 11 kbit/s, which Opus's variable rate
# and the Ogg pages bring to about 12: some 90 KB a minute of speech, against the MP3's 180 (bench/opus_bench.py
# measures it; 13 kbit/s already went past 100 KB). libsndfile maps a compression level of 0 to 1 linearly onto
# 256 kbit/s down to 6 kbit/s per channel (ogg_opus.c).
OPUS_SAMPLE_RATE = 16000
OPUS_BITRATE_BPS = 11000
_LIBSNDFILE_OPUS_MAX_BPS = 256000
_LIBSNDFILE_OPUS_MIN_BPS = 6000
OPUS_COMPRESSION_LEVEL = 1 - (OPUS_BITRATE_BPS - _LIBSNDFILE_OPUS_MIN_BPS) / (
    _LIBSNDFILE_OPUS_MAX_BPS - _LIBSNDFILE_OPUS_MIN_BPS
)
# Part of every Opus file's cache key: Opus made another way is made again.
OPUS_VOICE = f"opus {OPUS_SAMPLE_RATE}Hz {OPUS_BITRATE_BPS}bps"


class OpusError(ValueError):
    """Audio could not be read or turned into Opus."""


def samples_to_opus(samples: np.ndarray, sample_rate: int) -> bytes:
    """Ogg Opus bytes (mono, OPUS_SAMPLE_RATE, about OPUS_BITRATE_BPS) of 16-bit or float mono samples."""
    import numpy as np
    import soundfile
    import soxr

    audio = np.asarray(samples)
    if audio.dtype == np.int16:
        audio = audio.astype(np.float32) / 32768.0
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    if sample_rate != OPUS_SAMPLE_RATE and len(audio):
        audio = soxr.resample(audio, sample_rate, OPUS_SAMPLE_RATE, quality="HQ")
    if not len(audio):
        raise OpusError("no samples to encode")
    buffer = io.BytesIO()
    try:
        with soundfile.SoundFile(
            buffer, "w", OPUS_SAMPLE_RATE, 1, format="OGG", subtype="OPUS", compression_level=OPUS_COMPRESSION_LEVEL
        ) as file:
            file.write(audio)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise OpusError(f"Opus encoding failed: {error}") from error
    return buffer.getvalue()


def audio_file_to_opus(path: str | os.PathLike[str]) -> bytes:
    """Ogg Opus bytes of an audio file libsndfile reads (an engine's MP3), its channels averaged."""
    return audio_files_to_opus([path])


def audio_files_to_opus(paths: Sequence[str | os.PathLike[str]]) -> bytes:
    """Ogg Opus bytes of audio files libsndfile reads (an article's MP3 segments), one after another, in one
    stream; each file's channels are averaged and its rate converted to the first one's."""
    import numpy as np
    import soundfile
    import soxr

    pieces, first_rate = [], None
    for path in paths:
        try:
            data, rate = soundfile.read(path, dtype="float32", always_2d=True)
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            raise OpusError(f"cannot decode {path}: {error}") from error
        mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
        first_rate = first_rate or rate
        pieces.append(mono if rate == first_rate else soxr.resample(mono, rate, first_rate, quality="HQ"))
    if not pieces:
        raise OpusError("no audio files to encode")
    return samples_to_opus(np.concatenate(pieces), first_rate)
