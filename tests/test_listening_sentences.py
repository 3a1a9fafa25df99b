"""Đọc bài by sentence over HTTP: the player's segment list names every sentence with its block and text, each
segment URL says that sentence alone, and the whole MP3 is the sentences in order."""
import re
import threading

import lxml.html

from extensions import db
from models import Article
from support import use_voice
from test_article_text import FOURTEEN_SENTENCES

BODY = "<p>" + " ".join(FOURTEEN_SENTENCES) + "</p><h2>Kết quả</h2><p>Xã Đồng Lâm về đích <a href='/x'>sớm. Bà</a> con vui mừng.</p>"


class EchoEngine:
    """Says each text as bytes that name it, so a response shows which sentence it holds."""

    name = "echo"
    voice = "test"

    def __init__(self):
        self.texts = []
        self._lock = threading.Lock()

    def synthesize(self, text):
        with self._lock:
            self.texts.append(text)
        return f"<{text}>".encode()


def test_manifest_has_a_segment_for_each_sentence_with_its_block_and_text(client, make_article):
    article = make_article(title="Tổng kết năm 2023", body_html=BODY)
    segments = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()["segments"]
    assert [(segment["block"], segment["text"]) for segment in segments] == [
        (0, "Tổng kết năm 2023"),
        *[(1, sentence) for sentence in FOURTEEN_SENTENCES],
        (2, "Kết quả"),
        (3, "Xã Đồng Lâm về đích sớm."),
        (3, "Bà con vui mừng."),
    ]
    assert [segment["index"] for segment in segments] == list(range(len(segments)))
    assert segments[5]["spoken"].startswith("Đường về thành phố Hà Nội")
    assert all(f"/nghe/{segment['index']}.mp3?v=" in segment["url"] for segment in segments)


def test_every_sentence_is_in_the_block_the_page_marks_with_its_number(client, make_article):
    article = make_article(body_html=BODY)
    page = lxml.html.document_fromstring(client.get(f"/bai-viet/{article.slug}").get_data(as_text=True))
    blocks = {int(element.get("data-seg")): " ".join(element.text_content().split())
              for element in page.xpath("//*[@data-seg]")}
    segments = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()["segments"]
    assert {segment["block"] for segment in segments} == set(blocks)
    for block, text in blocks.items():
        # The sentences of a block, in order, are its text: the player finds each one there.
        assert " ".join(segment["text"] for segment in segments if segment["block"] == block) == text


def test_a_segment_is_one_sentence_and_the_whole_audio_is_all_of_them_in_order(client, app, make_article):
    article = make_article(body_html=BODY)
    engine = use_voice(app, EchoEngine())
    manifest = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    fifth = client.get(manifest["segments"][5]["url"])
    assert fifth.status_code == 200 and fifth.mimetype == "audio/mpeg"
    assert fifth.data == f"<{manifest['segments'][5]['spoken']}>".encode()

    whole = client.get(manifest["audio"])
    assert whole.status_code == 200
    assert whole.data == b"".join(f"<{segment['spoken']}>".encode() for segment in manifest["segments"])
    # The engine was given sentences, never a paragraph, in order and each once (the article's job made them).
    assert engine.texts == [segment["spoken"] for segment in manifest["segments"]]


def test_moving_a_paragraph_break_gives_a_new_segment_list(client, app, make_article):
    article = make_article(body_html="<p>Câu một. Câu hai.</p><p>Câu ba.</p>")
    before = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    with app.app_context():
        db.session.get(Article, article.id).body_html = "<p>Câu một.</p><p>Câu hai. Câu ba.</p>"
        db.session.commit()
    after = client.get(f"/bai-viet/{article.slug}/nghe.json").get_json()
    # The same words are said, but a cached list would highlight "Câu hai" in the wrong paragraph.
    assert [segment["spoken"] for segment in after["segments"]] == [segment["spoken"] for segment in before["segments"]]
    assert [segment["block"] for segment in after["segments"]] == [0, 1, 2, 2]
    assert after["version"] != before["version"]
    assert re.search(r"v=([0-9a-f]+)", after["audio"]).group(1) == after["version"]
