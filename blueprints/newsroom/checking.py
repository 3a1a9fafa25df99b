"""What the "Kiểm tra cách đọc" panel shows, shared by the editor, the preview and the panel's own page."""
from __future__ import annotations

from extensions import db
from models import Article, LexiconEntry
from services.speech.pronunciation import check_sentences, lexicon_key, rule_name
from web.site_services import site_services


def pronunciation_check(article: Article) -> dict:
    """The panel's context for an article as it is saved now: its sentences with their changes and doubts, and
    the editors' entries behind changes (linked to their form)."""
    speech = site_services().speech
    table = speech.lexicon.table()
    sentences = check_sentences(speech.spoken_sentences_under(article, table), table)
    keys = {written: entry_id for entry_id, written in db.session.execute(
        db.select(LexiconEntry.id, LexiconEntry.written).order_by(LexiconEntry.id))}
    return {"sentences": sentences, "doubt_count": sum(len(sentence.doubts) for sentence in sentences),
            "editor_keys": keys, "rule_name": rule_name, "lexicon_key": lexicon_key}
