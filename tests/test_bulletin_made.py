"""A bulletin of five articles, made once for the module and checked from outside: ffmpeg decodes it, pyloudnorm
and ffmpeg's ebur128 measure it, mutagen reads its chapters, feedparser its feed, pypdf its print. None of these
measurements goes through the code that made it."""
import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
import wave
from pathlib import Path

import feedparser
import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from pypdf import PdfReader

from extensions import db
from models import Article, Bulletin, Category
from services.bulletin import audio as bulletin_audio
from services.bulletin.script import LEAD, SUMMARY, WHOLE
from web.bulletins import bulletin_desk, notice_pdfs
from web.urls import public_url

FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg (Debian package, in the Makefile's SYSTEM_PACKAGES) "
                                                      "measures the bulletin independently of the code that made it")
DAY = dt.date(2026, 12, 7)
TARGET_LUFS = -16.0
STORIES = [
    ("Huyện Đồng Lâm khai trương chợ phiên cuối tuần", "Chợ phiên họp mỗi sáng thứ Bảy tại trung tâm huyện.",
     ["Sáng 5/12, UBND huyện khai trương chợ phiên cuối tuần tại thị trấn.", "Chợ có 120 gian hàng nông sản.",
      "Bà con được miễn phí chỗ bán trong ba tháng đầu."]),
    ("Xã Bản Mế tiêm phòng cho đàn trâu bò", "Hơn 2.000 con trâu bò được tiêm phòng lở mồm long móng.",
     ["Trạm thú y huyện phối hợp với xã Bản Mế tiêm phòng cho đàn gia súc.", "Đợt tiêm kéo dài đến hết tháng 12."]),
    ("Lịch cắt điện ngày 9/12", "", ["Điện lực Đồng Lâm cắt điện từ 7h đến 11h ngày 9/12 để sửa đường dây.",
                                    "Khu vực ảnh hưởng gồm thôn Nà Lừa và thôn Cốc Lầu."]),
    ("Trường tiểu học Pa Cheo nhận 200 áo ấm", "Các em học sinh bán trú được tặng áo ấm trước mùa rét.",
     ["Hội Chữ thập đỏ huyện trao 200 áo ấm cho học sinh bán trú.", "Nhà trường cảm ơn các nhà hảo tâm."]),
    ("Huyện tuyển 220 thanh niên nhập ngũ năm 2027", "Khám tuyển nghĩa vụ quân sự bắt đầu từ ngày 15/12.",
     ["Hội đồng nghĩa vụ quân sự huyện thông báo lịch khám tuyển.", "Thanh niên mang theo căn cước công dân.",
      "Mọi thắc mắc xin liên hệ Ban Chỉ huy Quân sự huyện."]),
]
READINGS = [WHOLE, SUMMARY, LEAD, SUMMARY, WHOLE]
JINGLES = {"opening": 1.2, "between": 0.6, "closing": 1.0}


def _tone(path: Path, seconds: float, frequency: float) -> None:
    rate = 22_050
    time = np.arange(round(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * frequency * time) * 0.5 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.tobytes())


@pytest.fixture(scope="module")
def made(build_app, tmp_path_factory):
    """An app with five articles and a bulletin of them, jingles included, made once."""
    folder = tmp_path_factory.mktemp("bulletin")
    monkeypatch = pytest.MonkeyPatch()
    builder = build_app(folder, monkeypatch, "sqlite")
    app = next(builder)
    jingles = folder / "jingles"
    jingles.mkdir()
    for (name, seconds), frequency in zip(JINGLES.items(), (440, 660, 550)):
        _tone(jingles / f"{name}.wav", seconds, frequency)
    app.config["BULLETIN_JINGLES_DIR"] = str(jingles)
    with app.app_context():
        desk = bulletin_desk()
        desk.audio.jingles_dir = jingles
        category = Category(name="Tin tức", slug="tin-tuc")
        articles = []
        for number, (title, summary, paragraphs) in enumerate(STORIES):
            article = Article(
                title=title, slug=f"tin-{number}", summary=summary, author="Minh Anh", category=category,
                body_html="".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
                published_at=dt.datetime(2026, 12, 6, 8, tzinfo=dt.timezone.utc) + dt.timedelta(hours=number),
            )
            db.session.add(article)
            articles.append(article)
        db.session.commit()
        bulletin = desk.compose(DAY, articles, {article.id: reading for article, reading in zip(articles, READINGS)})
        desk.publish(bulletin)
        db.session.commit()
        result = desk.make(bulletin)
        db.session.commit()
        pieces, _ = desk.audio.timeline(desk.script(bulletin))
    yield app, result, pieces
    next(builder, None)
    monkeypatch.undo()


def _decoded(path) -> tuple[np.ndarray, int]:
    """The file decoded by ffmpeg (not the code under test) to 44.1 kHz mono float samples."""
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", "44100", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4"), 44_100


def _piece_seconds(piece) -> float:
    if piece.kind == "pause":
        return piece.seconds
    if piece.kind == "jingle":
        with wave.open(str(piece.path)) as file:
            return file.getnframes() / file.getframerate()
    return MP3(piece.path).info.length


def test_the_file_decodes_as_mono_44_1_khz_mp3(made):
    _, result, _ = made
    samples, rate = _decoded(result.path)
    info = MP3(result.path).info
    assert (info.sample_rate, info.channels, info.bitrate) == (44_100, 1, 48_000)
    assert len(samples) / rate > 30
    assert np.abs(samples).max() > 0.1


def test_its_length_is_the_sum_of_its_parts_and_gaps(made):
    _, result, pieces = made
    samples, rate = _decoded(result.path)
    parts = sum(_piece_seconds(piece) for piece in pieces)
    assert {piece.kind for piece in pieces} == {"speech", "pause", "jingle"}
    assert sum(piece.kind == "jingle" for piece in pieces) == 1 + (len(STORIES) - 1) + 1
    assert abs(len(samples) / rate - parts) < 1.0, (len(samples) / rate, parts)


def test_its_loudness_is_the_broadcast_target_and_its_true_peak_under_the_ceiling(made):
    _, result, _ = made
    samples, rate = _decoded(result.path)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))
    assert abs(loudness - TARGET_LUFS) <= 1.0, loudness
    summary = subprocess.run([FFMPEG, "-hide_banner", "-nostats", "-i", str(result.path), "-af",
                              "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = summary[summary.rindex("Summary:"):]
    true_peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    assert true_peak <= -1.0, summary
    assert abs(integrated - TARGET_LUFS) <= 1.0, summary


def test_one_chapter_per_item_with_its_title_and_start(made):
    app, result, pieces = made
    tag = ID3(result.path)
    (toc,) = tag.getall("CTOC")
    chapters = {frame.element_id: frame for frame in tag.getall("CHAP")}
    ordered = [chapters[element_id] for element_id in toc.child_element_ids]
    assert [str(chapter.sub_frames["TIT2"].text[0]) for chapter in ordered] == [title for title, _, _ in STORIES]
    # Where each item's first piece (its "Tin thứ …") starts, by the pieces' own lengths.
    expected, at = {}, 0.0
    for piece in pieces:
        if piece.item is not None:
            expected.setdefault(piece.item, at)
        at += _piece_seconds(piece)
    starts = [chapter.start_time / 1000 for chapter in ordered]
    assert starts == sorted(starts)
    for index, start in enumerate(starts):
        assert abs(start - expected[index]) < 0.3, (index, start, expected[index])
    assert [str(frame.text[0]) for frame in tag.getall("TIT2")] == ["Bản tin ngày 07/12/2026"]
    assert tag.getall("TDRC")[0].text[0].get_text().startswith("2026")
    assert tag.getall("APIC")[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    with app.app_context():
        bulletin = bulletin_desk().bulletin(DAY)
        assert [round(item.start_seconds, 3) for item in bulletin.items] == [round(s, 3) for s in starts]


def test_the_stable_address_answers_304_to_an_unchanged_etag(made):
    app, result, _ = made
    client = app.test_client()
    latest = client.get("/ban-tin/moi-nhat.mp3")
    assert latest.status_code == 200
    assert latest.data == result.path.read_bytes()
    etag = latest.headers["ETag"]
    assert "no-cache" in latest.headers["Cache-Control"]
    again = client.get("/ban-tin/moi-nhat.mp3", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    dated = client.get(f"/ban-tin/{DAY.isoformat()}.mp3")
    assert dated.headers["ETag"] == etag
    assert client.get("/ban-tin/moi-nhat.mp3", headers={"If-None-Match": '"an-older-bulletin"'}).status_code == 200


def test_the_feed_parses_with_an_enclosure_of_the_right_length(made):
    app, result, _ = made
    client = app.test_client()
    response = client.get("/ban-tin/podcast.xml")
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    (entry,) = feed.entries
    (enclosure,) = entry.enclosures
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == result.size_bytes == result.path.stat().st_size
    audio = client.get(enclosure.href.removeprefix("http://127.0.0.1:5000"))
    assert len(audio.data) == int(enclosure.length)
    assert int(entry.itunes_duration) == round(result.duration_seconds)
    assert b"<itunes:explicit>false</itunes:explicit>" in response.data  # Apple's value (feedparser reads it as None)
    assert feed.feed.author == "Đài Truyền thanh huyện Đồng Lâm" and feed.feed.podcast_guid
    assert feed.feed.image.href.endswith("/ban-tin/bia.png")
    assert "Huyện Đồng Lâm khai trương chợ phiên cuối tuần" in entry.summary


def test_the_print_is_one_a4_page_with_every_title(made):
    app, _, _ = made
    with app.app_context():
        bulletin = bulletin_desk().bulletin(DAY)
        pdf = notice_pdfs().get_or_render(bulletin, public_url("bulletins.bulletin", day=DAY.isoformat()))
    reader = PdfReader(io.BytesIO(pdf.path.read_bytes()))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(unicodedata.normalize("NFC", reader.pages[0].extract_text()).split())
    for title, _, _ in STORIES:
        assert title in text
    assert "07/12/2026" in text


def test_the_page_lists_each_item_at_its_start_time(made):
    app, result, _ = made
    page = app.test_client().get("/ban-tin/").get_data(as_text=True)
    starts = re.findall(r'data-start="([\d.]+)"', page)
    assert [round(float(start), 1) for start in starts] == [round(chapter.start, 1) for chapter in result.chapters]
    assert 'type="application/rss+xml"' in page and "/ban-tin/podcast.xml" in page
    assert "/ban-tin/2026-12-07/bang-tin.pdf" in page
    for slug in (f"tin-{number}" for number in range(len(STORIES))):
        assert f'href="/bai-viet/{slug}"' in page


def test_making_the_same_day_again_gives_the_same_file(made):
    app, result, _ = made
    with app.app_context():
        desk = bulletin_desk()
        bulletin = desk.bulletin(DAY)
        before = bulletin.made_at
        again = desk.make(bulletin)
        assert again.key == result.key and again.path == result.path
        assert not db.session.dirty  # nothing recorded anew
        assert bulletin.made_at == before
        assert desk.is_current(bulletin)
