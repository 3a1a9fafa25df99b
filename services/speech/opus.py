"""Opus: the lighter audio a listener on a slow link gets under the data saver, made from the same speech as the
MP3s (the engine's own samples where it gives them, else the MP3 decoded).

Why Ogg Opus and not WebM: Chrome (Android's too, for years) and Firefox play Ogg Opus in <audio>, and Safari
from 17; Safari's WebM Opus came later to iPhones, and a browser that cannot play Ogg Opus says so through
canPlayType, so it keeps the MP3.

The libraries, and why: PyAV (FFmpeg's libopus and Ogg muxer, in its wheel) encodes, with libopus's VoIP mode,
the one tuned for speech, and an exact bitrate; soundfile (already here for the bulletin) writes Ogg Opus too, but
offers neither, and its libopus took four times the CPU for the same file (0.39 s against 0.10 s for 10 s of
speech), which an article's job pays for every sentence and once more for the whole. soundfile decodes the MP3s
and soxr converts the rate, as in the bulletin."""
from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# av, soundfile, soxr and numpy are imported where Opus is made (engines.py says why).

OPUS_SUFFIX = ".opus"
OPUS_MIMETYPE = "audio/ogg"
# What the player and the page's <source type> ask the browser about: the container and the codec.
OPUS_SOURCE_TYPE = "audio/ogg; codecs=opus"
# Wideband (speech up to 8 kHz, all a voice needs to be clear) at 11 kbit/s, which the Ogg pages bring to about
# 11.5: under 90 KB a minute of speech, against the MP3's 180 (bench/opus_bench.py measures it; 13 kbit/s went
# past 100 KB on short sentences, each file having its own headers).
OPUS_SAMPLE_RATE = 16000
OPUS_BITRATE_BPS = 11000
OPUS_APPLICATION = "voip"
OPUS_COMPLEXITY = 10  # libopus's best; still about 100 times faster than real time here
# Part of every Opus file's cache key: Opus made another way is made again.
OPUS_VOICE = f"opus {OPUS_SAMPLE_RATE}Hz {OPUS_BITRATE_BPS}bps {OPUS_APPLICATION} c{OPUS_COMPLEXITY}"


class OpusError(ValueError):
    """Audio could not be read or turned into Opus."""


def samples_to_opus(samples: np.ndarray, sample_rate: int) -> bytes:
    """Ogg Opus bytes (mono, OPUS_SAMPLE_RATE, OPUS_BITRATE_BPS, VoIP mode) of 16-bit or float mono samples."""
    import av
    import numpy as np
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
        # bitexact: no FFmpeg version in the headers, so every host and release writes the same bytes for the
        # same samples (an ETag names bytes).
        with av.open(buffer, "w", format="ogg", options={"fflags": "+bitexact"}) as container:
            stream = container.add_stream("libopus", rate=OPUS_SAMPLE_RATE, layout="mono")
            stream.bit_rate = OPUS_BITRATE_BPS
            stream.codec_context.options = {
                "application": OPUS_APPLICATION, "compression_level": str(OPUS_COMPLEXITY),
            }
            stream.codec_context.flags |= av.codec.context.Flags.bitexact
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio.reshape(1, -1)), format="flt", layout="mono")
            frame.sample_rate = OPUS_SAMPLE_RATE
            for packet in (*stream.encode(frame), *stream.encode(None)):
                container.mux(packet)
    except (av.FFmpegError, ValueError) as error:
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
