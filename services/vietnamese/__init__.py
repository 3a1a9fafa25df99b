"""Vietnamese text for speech: numbers, dates, units, addresses and a lexicon spelled out; sentence splitting.

Pure functions of text: nothing here knows about Flask, the database or a speech engine.
"""
from services.vietnamese.dates import date_to_words, time_to_words
from services.vietnamese.lexicon import Change, Lexicon, load_lexicon
from services.vietnamese.normalize import explain, spoken_form
from services.vietnamese.numbers import (
    decimal_to_words,
    digits_to_words,
    integer_to_words,
    ordinal_to_words,
    roman_to_int,
    written_number_to_words,
)
from services.vietnamese.sentences import split_sentences

__all__ = [
    "Change",
    "Lexicon",
    "date_to_words",
    "decimal_to_words",
    "digits_to_words",
    "explain",
    "integer_to_words",
    "load_lexicon",
    "ordinal_to_words",
    "roman_to_int",
    "spoken_form",
    "split_sentences",
    "time_to_words",
    "written_number_to_words",
]
