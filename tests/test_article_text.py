"""What of an article is read aloud, and the data-seg marks that let the player follow along."""
import unicodedata

import lxml.html
import pytest

from services.speech.spoken_text import (
    SpokenSentence,
    annotate_speakable,
    speakable_blocks,
    spoken_sentences,
    text_to_read,
)

ARTICLE = """
<p>Sáng 16/11, UBND huyện tổ chức hội nghị tổng kết.</p>
<figure>
  <img src="/media/2023/11/hoi-nghi.jpg" alt="Quang cảnh hội nghị" width="800" height="533">
  <figcaption>Quang cảnh hội nghị. (Ảnh: Minh Anh)</figcaption>
</figure>
<p>(Ảnh trên)</p>
<h2>Kết quả nổi bật</h2>
<p>Năm 2023, thu ngân sách đạt   <strong>105%</strong> kế hoạch (Ảnh trên).</p>
<ul><li>Xây dựng 3 trường học.</li><li>Làm mới 12 km đường.</li></ul>
<p>( Ảnh: Minh Anh)</p>
<p>Ảnh: TTXVN</p>
<p>Ảnh hưởng của bão số 3 đã được khắc phục.</p>
<p>Tin, ảnh: Hoàng Long</p>
<p>Nguồn: baochinhphu.vn</p>
"""

EXPECTED = [
    "Tổng kết năm 2023",
    "Sáng 16/11, UBND huyện tổ chức hội nghị tổng kết.",
    "Kết quả nổi bật",
    "Năm 2023, thu ngân sách đạt 105% kế hoạch.",
    "Xây dựng 3 trường học.",
    "Làm mới 12 km đường.",
    "Ảnh hưởng của bão số 3 đã được khắc phục.",
]


def test_blocks_are_title_then_body_in_order_without_captions_or_credits():
    assert speakable_blocks("  Tổng kết   năm 2023 ", ARTICLE) == EXPECTED


@pytest.mark.parametrize("body", [
    "<p>Ảnh: Nguyễn Văn B</p>",
    "<p>(Ảnh minh họa)</p>",
    "<p>Ảnh minh họa</p>",
    "<p>ẢNH: TTXVN</p>",
    "<p>Bài và ảnh: Thu Hà</p>",
    "<p>Video: Đài Truyền thanh huyện</p>",
    "<p>Nguồn: Sở Y tế</p>",
    "<p>Theo TTXVN</p>",
    "<figure><img src='/media/a.jpg' alt='a'><figcaption>Chú thích ảnh</figcaption></figure>",
    "<p class='image-caption'>Chú thích ảnh</p>",
    "<table class='picture'><tr><td><img src='/media/a.jpg' alt=''></td></tr>"
    "<tr><td class='PhotoCMS_Caption'>Chú thích</td></tr></table>",
    "<nav><a href='/'>Trang chủ</a></nav>",
    "<script>var x = 1;</script><style>p { color: red }</style>",
    "<p hidden>Ẩn</p><p aria-hidden='true'>Ẩn</p><p style='display: none'>Ẩn</p>",
    "<p>   </p><div><br></div><p>&nbsp;</p>",
    "<img src='/media/a.jpg' alt='Ảnh'>",
    "",
    "   ",
])
def test_nothing_to_read_in_captions_credits_navigation_and_empty_blocks(body):
    assert speakable_blocks("Tiêu đề", body) == ["Tiêu đề"]
    assert "data-seg" not in annotate_speakable(body)


def test_source_line_is_only_dropped_at_the_end_and_when_short():
    body = "<p>Theo kế hoạch, dự án hoàn thành năm 2025.</p><p>Xã đã làm xong.</p><p>Theo Báo Nhân Dân</p>"
    assert speakable_blocks("T", body) == ["T", "Theo kế hoạch, dự án hoàn thành năm 2025.", "Xã đã làm xong."]
    last_is_content = "<p>Xã đã làm xong.</p><p>Theo kế hoạch, năm sau sẽ mở rộng.</p>"
    assert speakable_blocks("T", last_is_content)[-1] == "Theo kế hoạch, năm sau sẽ mở rộng."


def test_text_is_nfc_with_whitespace_collapsed():
    body = unicodedata.normalize("NFD", "<p>Hội\n   nghị<br>tổng   kết</p>")
    blocks = speakable_blocks(unicodedata.normalize("NFD", "Tiêu  đề"), body)
    assert blocks == ["Tiêu đề", "Hội nghị tổng kết"]
    assert all(block == unicodedata.normalize("NFC", block) for block in blocks)


def test_spoken_segments_are_the_blocks_in_spoken_form():
    assert [sentence.spoken for sentence in spoken_sentences("Tổng kết năm 2023", ARTICLE)] == [
        "Tổng kết năm hai nghìn không trăm hai mươi ba",
        "Sáng ngày mười sáu tháng mười một, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết.",
        "Kết quả nổi bật",
        "Năm hai nghìn không trăm hai mươi ba, thu ngân sách đạt một trăm linh năm phần trăm kế hoạch.",
        "Xây dựng ba trường học.",
        "Làm mới mười hai ki-lô-mét đường.",
        "Ảnh hưởng của bão số ba đã được khắc phục.",
    ]


def test_annotation_marks_blocks_and_leaves_captions_unmarked():
    annotated = lxml.html.fragment_fromstring(annotate_speakable(ARTICLE), create_parent="div")
    marked = annotated.xpath(".//*[@data-seg]")
    assert [element.get("data-seg") for element in marked] == [str(n) for n in range(1, 7)]
    assert [element.tag for element in marked] == ["p", "h2", "p", "li", "li", "p"]
    assert not annotated.xpath(".//figcaption[@data-seg]")
    assert annotated.xpath(".//img")[0].get("src") == "/media/2023/11/hoi-nghi.jpg"


VARIED_BODIES = [
    ARTICLE,
    "Chỉ có chữ, không có thẻ nào.",
    "Chữ trần <b>đậm</b><p>Đoạn một</p>đuôi trần<p>Đoạn hai</p>",
    "<div><div><div><p>Lồng sâu</p><div>Khối chữ</div></div>Chữ rời <em>nghiêng</em></div></div>",
    "<ol><li>Mục một<ul><li>Mục con</li><li><p>Đoạn trong mục</p></li></ul></li><li>Mục hai</li></ol>",
    "<blockquote>Trích dẫn trần<p>Đoạn trích</p><footer>— Tác giả</footer></blockquote>",
    "<table><caption>Bảng số liệu</caption><thead><tr><th>Chỉ tiêu</th><th>Kết quả</th></tr></thead>"
    "<tbody><tr><td>Thu ngân sách</td><td><p>105%</p><p>(vượt kế hoạch)</p></td></tr>"
    "<tr><td></td><td>  </td></tr></tbody></table>",
    "<figure><blockquote><p>Câu nói nổi tiếng</p></blockquote><figcaption>Ảnh: X</figcaption></figure>",
    "<p>Một<!-- ghi chú --> hai</p><!-- ngoài --><p>Ba</p>",
    "<section><h3>Tiêu đề phụ</h3><p>Nội dung <a href='/x'>liên kết</a>.</p><aside>Tin liên quan</aside></section>",
    "<p data-seg='99'>Đánh dấu cũ</p><div data-seg='5'><p>Bên trong</p></div>",
    "<dl><dt>Thuật ngữ</dt><dd>Giải thích</dd></dl><pre>  dòng   giữ  </pre><hr><h4>Cuối</h4>",
    "<p>Đoạn <img src='/media/a.jpg' alt='ảnh'> có ảnh giữa chừng</p>",
    "<div>Chữ<br>xuống dòng<div class='related-news'><p>Tin khác</p></div>tiếp</div>",
    "<p>Không đóng thẻ<p>Thẻ thứ hai<li>Mục lạc",
]


def _segment_texts(annotated_html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(annotated_html, create_parent="div")
    for line_break in root.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    marked = root.xpath(".//*[@data-seg]")
    assert [element.get("data-seg") for element in marked] == [str(n) for n in range(1, len(marked) + 1)]
    return [" ".join(element.text_content().split()) for element in marked]


@pytest.mark.parametrize("body", VARIED_BODIES)
def test_annotation_and_blocks_agree(body):
    blocks = speakable_blocks("Tiêu đề", body)
    annotated = annotate_speakable(body)
    assert len(blocks) - 1 == annotated.count('data-seg="')
    # The marked element may still show a photo note that is not read aloud, hence text_to_read.
    assert blocks[1:] == [text_to_read(text) for text in _segment_texts(annotated)]


@pytest.mark.parametrize("body", VARIED_BODIES)
def test_annotation_keeps_the_text_and_is_stable(body):
    annotated = annotate_speakable(body)
    original = lxml.html.fragment_fromstring(body, create_parent="div")
    again = lxml.html.fragment_fromstring(annotated, create_parent="div")
    assert " ".join(again.text_content().split()) == " ".join(original.text_content().split())
    assert annotate_speakable(annotated) == annotated


def test_stale_marks_are_replaced():
    annotated = annotate_speakable(VARIED_BODIES[10])
    assert 'data-seg="99"' not in annotated and 'data-seg="5"' not in annotated
    assert _segment_texts(annotated) == ["Đánh dấu cũ", "Bên trong"]


def test_nested_and_loose_text_order():
    assert speakable_blocks("T", VARIED_BODIES[2]) == ["T", "Chữ trần đậm", "Đoạn một", "đuôi trần", "Đoạn hai"]
    assert speakable_blocks("T", VARIED_BODIES[4]) == [
        "T", "Mục một", "Mục con", "Đoạn trong mục", "Mục hai"]
    assert speakable_blocks("T", VARIED_BODIES[6]) == [
        "T", "Bảng số liệu", "Chỉ tiêu", "Kết quả", "Thu ngân sách", "105%", "(vượt kế hoạch)"]
    assert speakable_blocks("T", VARIED_BODIES[7]) == ["T", "Câu nói nổi tiếng"]
    assert speakable_blocks("T", VARIED_BODIES[9]) == ["T", "Tiêu đề phụ", "Nội dung liên kết."]
    assert speakable_blocks("T", VARIED_BODIES[13]) == ["T", "Chữ xuống dòng", "tiếp"]


FOURTEEN_SENTENCES = [
    "Sáng 16/11, UBND huyện tổ chức hội nghị tổng kết công tác năm 2023.",
    "Dự hội nghị có PGS.TS. Nguyễn Văn An, Giám đốc Sở Y tế.",
    "Năm qua, huyện thu ngân sách đạt 105% kế hoạch.",
    "Toàn huyện có 1.250 hộ thoát nghèo.",
    "Đường về TP. Hà Nội được nâng cấp.",
    "ThS. Lê Thị Bình trình bày báo cáo.",
    "Ông Trần V. Cường phát biểu ý kiến.",
    "Huyện xây mới 3 trường học ở tp. Điện Biên Phủ.",
    "Hơn 12 km đường giao thông nông thôn được cứng hóa…",
    "Tỷ lệ trẻ em đến trường đạt 99,5%.",
    "Công tác chuyển đổi số có nhiều tiến bộ!",
    "Vì sao một số xã còn chậm?",
    "Nhà văn hóa số 12/5 Lê Lợi, P.12, Q.5 được sửa.",
    "Hội nghị bế mạc lúc 11 giờ cùng ngày.",
]


def test_a_paragraph_of_fourteen_sentences_is_fourteen_segments():
    body = "<p>" + "  ".join(FOURTEEN_SENTENCES) + "</p><p>Một câu cuối.</p>"
    sentences = spoken_sentences("Tổng kết", body)
    assert [(sentence.block, sentence.text) for sentence in sentences] == [
        (0, "Tổng kết"), *[(1, text) for text in FOURTEEN_SENTENCES], (2, "Một câu cuối.")]


@pytest.mark.parametrize("text", [
    "Đoàn công tác về TP. Hà Nội sáng nay.",
    "Người dân tp. Điện Biên Phủ đón Tết.",
    "PGS.TS. Nguyễn Văn An chủ trì.",
    "Báo cáo của ThS. Lê Thị Bình được đánh giá cao.",
    "Xã có 1.250 hộ dân.",
    "Ông Nguyễn V. A. Trần đến dự.",
    "Nhà số 12/5 Lê Lợi, P.12, Q.5 bị ngập.",
    "Các xã Tả Phìn, Sín Chải… Hồ Thầu đều có mưa.",
])
def test_titles_numbers_initials_and_addresses_do_not_end_a_segment(text):
    assert [sentence.text for sentence in spoken_sentences("T", f"<p>{text}</p>")] == ["T", text]


def test_each_sentence_is_spoken_on_its_own():
    sentences = spoken_sentences("Tin 24/7", "<p>Đường về TP. Hà Nội dài 12 cây số. Ngày 2/9 là Quốc khánh.</p>")
    assert sentences == [
        SpokenSentence(0, "Tin 24/7", "Tin hai mươi tư trên bảy"),
        SpokenSentence(1, "Đường về TP. Hà Nội dài 12 cây số.", "Đường về thành phố Hà Nội dài mười hai cây số."),
        SpokenSentence(1, "Ngày 2/9 là Quốc khánh.", "Ngày hai tháng chín là Quốc khánh."),
    ]
