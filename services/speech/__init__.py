"""Speech for "Đọc bài": engines, the narrator that caches and falls back, an article's spoken text and audio."""
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
    audio_cache,
    engines_for_setting,
    narrator_for,
)

__all__ = [
    "CachedAudio",
    "CircuitBreaker",
    "ENGINE_SETTINGS",
    "EspeakEngine",
    "GOOGLE_BREAKER",
    "GTTSEngine",
    "MP3_BITRATE_KBPS",
    "Narrator",
    "NothingToSpeak",
    "SpeechEngine",
    "SpeechError",
    "SpokenAudio",
    "audio_cache",
    "engines_for_setting",
    "is_speakable",
    "narrator_for",
    "pack_for_gtts",
]
