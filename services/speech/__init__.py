"""Speech synthesis for "Đọc bài": engines, the audio cache with single flight, and the narrator that ties them."""
from .cache import AudioCache, PruneResult, audio_duration_seconds, audio_key
from .engines import (
    MP3_BITRATE_KBPS,
    EspeakEngine,
    GTTSEngine,
    NothingToSpeak,
    SpeechEngine,
    SpeechError,
    is_speakable,
    pack_for_gtts,
)
from .narrator import (
    ENGINE_SETTINGS,
    GOOGLE_BREAKER,
    CachedAudio,
    CircuitBreaker,
    Narrator,
    SpokenAudio,
    engines_for_setting,
    narrator_for,
)

__all__ = [
    "AudioCache",
    "CachedAudio",
    "CircuitBreaker",
    "ENGINE_SETTINGS",
    "EspeakEngine",
    "GOOGLE_BREAKER",
    "GTTSEngine",
    "MP3_BITRATE_KBPS",
    "Narrator",
    "NothingToSpeak",
    "PruneResult",
    "SpeechEngine",
    "SpeechError",
    "SpokenAudio",
    "audio_duration_seconds",
    "audio_key",
    "engines_for_setting",
    "is_speakable",
    "narrator_for",
    "pack_for_gtts",
]
