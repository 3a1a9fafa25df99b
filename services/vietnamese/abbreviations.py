"""The names this package had before the lexicon grew words and context rules; they stay working aliases."""
from services.vietnamese.lexicon import Lexicon, load_lexicon, parse_abbreviations

Abbreviations = Lexicon
load_abbreviations = load_lexicon

__all__ = ["Abbreviations", "load_abbreviations", "parse_abbreviations"]
