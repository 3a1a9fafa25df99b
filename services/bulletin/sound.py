"""A bulletin's sound: decoding the segments and jingles to one rate, loudness to a broadcast target, and one MP3
with ID3 chapters, title, date and cover.

The libraries, and why: soundfile (libsndfile with mpg123, in its wheel) decodes MP3, WAV, FLAC and Ogg without
ffmpeg on the server; soxr converts sample rates (the engines speak at 16, 22.05 or 24 kHz) and oversamples for
the true peak; pyloudnorm measures integrated loudness by ITU-R BS.1770-4 (EBU R128's gating); lameenc encodes
(as Đọc bài does) and mutagen writes the tags. Only the true-peak limiter is written here: no well-kept Python
library has one (pyloudnorm only measures, and ffmpeg's loudnorm would bring ffmpeg to every server).
"""
from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# The sound libraries are imported by the functions that make a bulletin, not with this module: pages and the
# newsroom need its constants, and numpy, SciPy, libsndfile and pyloudnorm cost a web worker about 60 MB.


# The file is 44.1 kHz mono MPEG-1 Layer III, the rate every MP3 decoder must play (IP loudspeakers' chips, phones,
# podcast apps); 48 kbps keeps speech clear at 360 KB a minute. The sound is worked on at half that rate: the
# voices hold nothing above 11 kHz that the encoder's low-pass would keep, and loudness, peaks and limiting cost
# half as much (the true peak of a band-limited signal is the same at either rate, oversampled four times).
SAMPLE_RATE = 22_050
FILE_SAMPLE_RATE = 44_100
BITRATE_KBPS = 48
# EBU R128 for speech on loudspeakers and podcasts (as Apple and most podcast hosts ask): -16 LUFS integrated,
# true peak at most -1 dBTP. The limiter aims lower, since MP3 encoding adds a fraction of a decibel to peaks,
# and the encoded file is measured again.
TARGET_LUFS = -16.0
TRUE_PEAK_CEILING_DBTP = -1.0
LIMITER_CEILING_DBTP = -2.0
# What the encoder's low-pass usually takes off the integrated loudness of a voice (measured: 0.4 to 0.5 LU); the
# first try aims this much higher, so it usually needs no second.
ENCODING_LOSS_LU = 0.4
# BS.1770-4 annex 2: true peak is measured on the signal oversampled four times.
OVERSAMPLING = 4
# The limiter lowers the gain over this long around a peak (hold and smoothing), slow enough not to distort.
LIMITER_WINDOW_SECONDS = 0.015
# Segments of this many samples are oversampled at once, with this much around them so the filter has context.
_CHUNK = 1 << 18
_CHUNK_PAD = 1024
# Changes to this module that change the sound: part of every bulletin's cache key.
SOUND_VERSION = f"1 {SAMPLE_RATE} {FILE_SAMPLE_RATE} {BITRATE_KBPS} q5 {TARGET_LUFS:g} {LIMITER_CEILING_DBTP:g} {LIMITER_WINDOW_SECONDS:g}"


class UnreadableAudio(ValueError):
    """A file that should be audio cannot be decoded."""


def decode(source: str | os.PathLike[str] | bytes) -> np.ndarray:
    """Mono float32 samples at SAMPLE_RATE of an audio file (a path, or its bytes); channels are averaged."""
    import numpy as np
    import soundfile
    import soxr

    try:
        data, rate = soundfile.read(io.BytesIO(source) if isinstance(source, bytes) else source,
                                    dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise UnreadableAudio(f"cannot decode {source if not isinstance(source, bytes) else 'audio'}: {error}") from error
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    if rate != SAMPLE_RATE and len(mono):
        mono = soxr.resample(mono, rate, SAMPLE_RATE, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def silence(seconds: float) -> np.ndarray:
    """That many seconds of silence at SAMPLE_RATE."""
    import numpy as np

    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def seconds_of(samples: np.ndarray) -> float:
    """Length of samples at SAMPLE_RATE, in seconds."""
    return len(samples) / SAMPLE_RATE


def integrated_loudness(samples: np.ndarray) -> float:
    """Integrated loudness (LUFS, BS.1770-4 with its gates) of mono samples at SAMPLE_RATE; -inf for silence."""
    import numpy as np
    import pyloudnorm

    if len(samples) < SAMPLE_RATE // 2:  # under one 400 ms gating block and a bit: nothing to measure
        return float("-inf")
    return float(pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(samples.astype(np.float64)))


def true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """For every sample, the largest magnitude of the signal between it and the next, found by oversampling
    OVERSAMPLING times (BS.1770-4 annex 2), a piece at a time so a ten-minute bulletin needs little memory."""
    import numpy as np
    import soxr

    envelope = np.empty(len(samples), dtype=np.float32)
    for start in range(0, len(samples), _CHUNK):
        end = min(len(samples), start + _CHUNK)
        lead, tail = min(_CHUNK_PAD, start), min(_CHUNK_PAD, len(samples) - end)
        piece = samples[start - lead:end + tail]
        upsampled = soxr.resample(piece, SAMPLE_RATE, SAMPLE_RATE * OVERSAMPLING, quality="MQ")
        wanted = upsampled[lead * OVERSAMPLING:(lead + end - start) * OVERSAMPLING]
        wanted = np.pad(wanted, (0, (end - start) * OVERSAMPLING - len(wanted)))
        envelope[start:end] = np.abs(wanted).reshape(-1, OVERSAMPLING).max(axis=1)
    return np.maximum(envelope, np.abs(samples))


def true_peak_dbtp(samples: np.ndarray) -> float:
    """The signal's true peak in dBTP."""
    if not len(samples):
        return float("-inf")
    return 20 * math.log10(max(float(true_peak_envelope(samples).max()), 1e-12))


def limit_true_peak(samples: np.ndarray, envelope: np.ndarray, gain_db: float, ceiling_dbtp: float) -> np.ndarray:
    """The samples times the gain, lowered around every true peak above the ceiling, smoothly and only there
    (envelope is true_peak_envelope(samples), which scales with the gain, so it is measured once).

    The gain each sample needs is held for LIMITER_WINDOW_SECONDS on either side (a minimum filter), then
    averaged over the same span: every average is of values at most the need at its centre, so no peak
    passes the ceiling, and the gain moves over tens of milliseconds instead of bending the wave."""
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    gain = np.float32(10 ** (gain_db / 20))
    ceiling = np.float32(10 ** (ceiling_dbtp / 20))
    need = np.minimum(np.float32(1.0), ceiling / np.maximum(envelope * gain, np.float32(1e-12)))
    if float(need.min()) >= 1.0:
        return samples * gain
    half = max(1, round(LIMITER_WINDOW_SECONDS * SAMPLE_RATE))
    held = minimum_filter1d(need, size=2 * half + 1, mode="nearest")
    smooth = uniform_filter1d(held, size=2 * half + 1, mode="nearest")
    # A float32 box average can come out a hair above its smallest input.
    return samples * gain * np.minimum(smooth, need)


def encode_mp3(samples: np.ndarray) -> bytes:
    """MP3 bytes (mono, CBR BITRATE_KBPS, FILE_SAMPLE_RATE) of float samples in [-1, 1] at SAMPLE_RATE."""
    import lameenc
    import numpy as np

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(FILE_SAMPLE_RATE)  # LAME would pick a lower rate for this bitrate by itself
    encoder.set_channels(1)
    encoder.set_quality(5)  # LAME's own default: twice as fast as 2, and no difference in a voice at 48 kbps
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


@dataclass(frozen=True)
class Measured:
    """What the encoded file measures: integrated loudness and true peak."""

    loudness_lufs: float
    true_peak_dbtp: float


def measure(mp3: bytes) -> Measured:
    """Integrated loudness and true peak of an MP3 as a player decodes it."""
    decoded = decode(mp3)
    return Measured(integrated_loudness(decoded), true_peak_dbtp(decoded))


def _limited_to(samples: np.ndarray, envelope: np.ndarray, target: float, gain_db: float,
                ceiling: float) -> tuple[np.ndarray, float]:
    """The samples limited at the gain whose result measures target LUFS (within 0.1 LU, four tries at most), and
    that gain: secant steps, since the limiter takes more of each added decibel the louder it gets."""
    limited = limit_true_peak(samples, envelope, gain_db, ceiling)
    measured = integrated_loudness(limited)
    for _ in range(4):
        if abs(measured - target) <= 0.1:
            break
        step = target - measured
        next_gain = gain_db + step
        next_limited = limit_true_peak(samples, envelope, next_gain, ceiling)
        next_measured = integrated_loudness(next_limited)
        slope = (next_measured - measured) / step if step else 1.0
        gain_db, limited, measured = next_gain, next_limited, next_measured
        if abs(measured - target) > 0.1 and slope > 0.05:
            # Go on from the new point by the slope just seen rather than one for one.
            gain_db += (target - measured) / slope - (target - measured)
    return limited, gain_db


def broadcast_mp3(samples: np.ndarray) -> tuple[bytes, Measured]:
    """The MP3 of the samples at TARGET_LUFS (within 0.3 LU) with no true peak above TRUE_PEAK_CEILING_DBTP, and
    what it measures. The encoded file is what is measured, since encoding changes both (its low-pass takes a
    few tenths of a loudness unit, its quantization can raise a peak): a second try aims higher by what the
    first lost, and lowers the limiter's ceiling by any peak it let through."""
    loudness = integrated_loudness(samples)
    if not math.isfinite(loudness):
        mp3 = encode_mp3(samples)
        return mp3, measure(mp3)
    envelope = true_peak_envelope(samples)
    gain_db, ceiling, aim = TARGET_LUFS - loudness, LIMITER_CEILING_DBTP, TARGET_LUFS + ENCODING_LOSS_LU
    for _ in range(3):
        limited, gain_db = _limited_to(samples, envelope, aim, gain_db, ceiling)
        mp3 = encode_mp3(limited)
        measured = measure(mp3)
        peak_excess = measured.true_peak_dbtp - (TRUE_PEAK_CEILING_DBTP - 0.1)
        if abs(measured.loudness_lufs - TARGET_LUFS) <= 0.3 and peak_excess <= 0:
            break
        aim += TARGET_LUFS - measured.loudness_lufs
        if peak_excess > 0:
            ceiling -= peak_excess + 0.1
    return mp3, measured


@dataclass(frozen=True)
class Chapter:
    """An item of the bulletin in its file: title, where it starts and ends (seconds) and its page."""

    title: str
    start: float
    end: float
    url: str = ""


@dataclass(frozen=True)
class Tags:
    """What the file says of itself besides the sound."""

    title: str
    artist: str  # the station
    album: str  # the series: "Bản tin — <site>"
    date: str  # ISO 8601, YYYY-MM-DD
    cover_png: bytes | None = None


def tagged_mp3(mp3: bytes, tags: Tags, chapters: Sequence[Chapter], extra: Sequence = ()) -> bytes:
    """The MP3 with an ID3v2.3 tag in front: title, station, series, date, language, cover, and one chapter
    (CHAP, listed by a top-level ordered CTOC) per item, titled, so podcast apps can skip between items; extra
    frames besides. (mutagen writes the CHAP frames in an order of its own; the CTOC gives theirs.)"""
    from mutagen.id3 import APIC, CHAP, CTOC, CTOCFlags, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, WXXX

    tag = ID3()
    tag.add(TIT2(encoding=1, text=tags.title))
    tag.add(TPE1(encoding=1, text=tags.artist))
    tag.add(TALB(encoding=1, text=tags.album))
    tag.add(TDRC(encoding=0, text=tags.date))
    tag.add(TLAN(encoding=0, text="vie"))
    tag.add(TCON(encoding=0, text="Podcast"))
    if tags.cover_png:
        tag.add(APIC(encoding=0, mime="image/png", type=3, desc="", data=tags.cover_png))
    ids = [f"chp{number}" for number in range(len(chapters))]
    if chapters:
        tag.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                     sub_frames=[TIT2(encoding=1, text=tags.title)]))
    for element_id, chapter in zip(ids, chapters):
        sub_frames = [TIT2(encoding=1, text=chapter.title)]
        if chapter.url:
            sub_frames.append(WXXX(encoding=0, desc="", url=chapter.url))
        tag.add(CHAP(element_id=element_id, start_time=round(chapter.start * 1000),
                     end_time=round(chapter.end * 1000), sub_frames=sub_frames))
    for frame in extra:
        tag.add(frame)
    out = io.BytesIO()
    tag.save(out, v2_version=3, padding=lambda info: 0)
    return out.getvalue() + mp3


def read_chapters(path: str | os.PathLike[str]) -> list[Chapter]:
    """The chapters of a tagged MP3, in the order of its table of contents."""
    from mutagen.id3 import ID3

    tag = ID3(path)
    toc = next(iter(tag.getall("CTOC")), None)
    frames = {frame.element_id: frame for frame in tag.getall("CHAP")}
    order = toc.child_element_ids if toc is not None else sorted(frames)
    chapters = []
    for element_id in order:
        frame = frames[element_id]
        title = next((str(sub.text[0]) for sub in frame.sub_frames.values() if sub.FrameID == "TIT2"), "")
        url = next((sub.url for sub in frame.sub_frames.values() if sub.FrameID == "WXXX"), "")
        chapters.append(Chapter(title, frame.start_time / 1000, frame.end_time / 1000, url))
    return chapters
