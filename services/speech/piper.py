"""A Piper neural voice that the operator placed in the instance folder, spoken offline with piper-tts."""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engines import LEVELLING, MP3_BITRATE_KBPS, PcmEngine, SpeechError, require_speakable

VOICE_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
# Voices phonemized by the espeak-ng data inside piper-tts (all of Piper's Vietnamese voices) or spelled as
# text; piper-tts fetches a model from a hub at run time for the others (Chinese), which this site never does.
OFFLINE_PHONEME_TYPES = ("espeak", "text")

if TYPE_CHECKING:
    import numpy as np


def find_voice(voices_dir: str | os.PathLike[str] | None) -> Path | None:
    """The first `*.onnx` voice (by name) in voices_dir that has its `.onnx.json` beside it, or None."""
    if voices_dir is None or not Path(voices_dir).is_dir():
        return None
    for model in sorted(Path(voices_dir).glob(f"*{VOICE_SUFFIX}")):
        if model.is_file() and Path(f"{model}.json").is_file():
            return model
    return None


@dataclass
class _LoadedVoice:
    voice: Any  # piper.PiperVoice, imported only when a voice is loaded
    synthesis: Any  # piper.SynthesisConfig
    lock: threading.Lock  # one synthesis at a time: onnxruntime already spreads one run over every core


# Model path and file identity -> the loaded voice or the SpeechError it gave: loaded once per process, on the
# first synthesis, by whichever narrator asks first; a replaced file (new size or time) is loaded again.
_voices: dict[tuple[str, int, int], _LoadedVoice | SpeechError] = {}
_voices_lock = threading.Lock()


class PiperEngine(PcmEngine):
    """A Piper voice (`.onnx` and its `.onnx.json`) run on the CPU by piper-tts; nothing is downloaded."""

    name = "piper"

    def __init__(self, model_path: str | os.PathLike[str], bitrate_kbps: int = MP3_BITRATE_KBPS):
        self.model_path = Path(model_path)
        self.config_path = Path(f"{self.model_path}.json")
        self.bitrate_kbps = bitrate_kbps
        try:
            size = self.model_path.stat().st_size
        except OSError:
            size = 0
        # The file's size tells one release of a voice from another without reading 60 MB to hash it.
        self.voice = f"{self.model_path.stem} {size}B {bitrate_kbps}kbps {LEVELLING}"

    def speech_samples(self, text: str) -> tuple[np.ndarray, int]:
        """The voice's 16-bit mono samples of text and their sample rate, before levelling."""
        import numpy as np  # with the voice, in the processes that speak (see engines.py)

        text = require_speakable(text)
        loaded = self._loaded()
        try:
            with loaded.lock:
                chunks = list(loaded.voice.synthesize(text, loaded.synthesis))
        except Exception as error:  # onnxruntime and the phonemizer raise their own types
            raise SpeechError(f"piper: {self.model_path.name}: {error}") from error
        if not chunks:
            raise SpeechError(f"piper: {self.model_path.name} gave no audio")
        samples = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        return samples, chunks[0].sample_rate

    def _loaded(self) -> _LoadedVoice:
        try:
            status = self.model_path.stat()
        except OSError as error:
            raise SpeechError(f"piper: no voice at {self.model_path}") from error
        key = (str(self.model_path.resolve()), status.st_size, status.st_mtime_ns)
        with _voices_lock:  # held while loading, so two first requests do not load 60 MB twice
            loaded = _voices.get(key)
            if loaded is None:
                try:
                    loaded = self._load()
                except SpeechError as error:
                    loaded = error  # a broken file fails at once from now on, instead of being parsed again
                _voices[key] = loaded
        if isinstance(loaded, SpeechError):
            raise loaded
        return loaded

    def _load(self) -> _LoadedVoice:
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError as error:
            raise SpeechError("piper: the piper-tts package is not installed") from error
        try:
            with open(self.config_path, encoding="utf-8") as config_file:
                phoneme_type = json.load(config_file).get("phoneme_type", "espeak")
        except (OSError, ValueError) as error:
            raise SpeechError(f"piper: cannot read {self.config_path.name}: {error}") from error
        if phoneme_type not in OFFLINE_PHONEME_TYPES:
            raise SpeechError(f"piper: {self.model_path.name} needs a {phoneme_type} model downloaded at run time")
        try:
            voice = PiperVoice.load(self.model_path, self.config_path)
        except Exception as error:  # onnxruntime's own exception types, KeyError from a config missing a field…
            raise SpeechError(f"piper: cannot load {self.model_path.name}: {error}") from error
        # Piper's own normalisation scales every sentence to full scale; level_speech keeps peaks under -1 dBFS.
        return _LoadedVoice(voice, SynthesisConfig(normalize_audio=False), threading.Lock())
