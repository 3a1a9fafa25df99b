"""How Vietnamese news text must be spoken: numbers, dates, times, units, codes and abbreviations."""
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from services.vietnamese import (
    digits_to_words,
    integer_to_words,
    load_lexicon,
    ordinal_to_words,
    roman_to_int,
    spoken_form,
    split_sentences,
    written_number_to_words,
)

Y2023 = "hai nghìn không trăm hai mươi ba"
Y2024 = "hai nghìn không trăm hai mươi tư"


@pytest.mark.parametrize("value, spoken", [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1234, "một nghìn hai trăm ba mươi tư"),
    (2023, Y2023),
    (2024, Y2024),
    (10000, "mười nghìn"),
    (105000, "một trăm linh năm nghìn"),
    (1000005, "một triệu không trăm linh năm"),
    (1001000, "một triệu không trăm linh một nghìn"),
    (2050000000, "hai tỷ không trăm năm mươi triệu"),
    (1250000000, "một tỷ hai trăm năm mươi triệu"),
    (1000000000000, "một nghìn tỷ"),
    (10**18, "một tỷ tỷ"),
    (-5, "âm năm"),
])
def test_integer_to_words(value, spoken):
    assert integer_to_words(value) == spoken


@pytest.mark.parametrize("written, spoken", [
    ("1.234", "một nghìn hai trăm ba mươi tư"),
    ("1.250.000.000", "một tỷ hai trăm năm mươi triệu"),
    ("3,5", "ba phẩy năm"),
    ("3,05", "ba phẩy không năm"),
    ("0,5", "không phẩy năm"),
    ("2,35", "hai phẩy ba mươi lăm"),
    ("1.234,5", "một nghìn hai trăm ba mươi tư phẩy năm"),
    ("1,250,000", "một triệu hai trăm năm mươi nghìn"),
    ("4.0", "bốn chấm không"),
    ("02", "không hai"),
    ("1,9.9", "một phẩy chín chấm chín"),
    ("37,1.7", "ba mươi bảy phẩy một chấm bảy"),
])
def test_written_number_to_words(written, spoken):
    assert written_number_to_words(written) == spoken


@pytest.mark.parametrize("text", ["1,9.9", "37,1.7", "Tăng 1,250.50%", "1.2,3.4,5", "0,0.0", "12.345,6.7"])
def test_mixed_marks_that_are_no_number_are_still_read(text):
    spoken = spoken_form(text)
    assert not any(ch.isdigit() for ch in spoken), spoken


def test_article_page_renders_with_mixed_mark_numbers(client, make_article):
    article = make_article(title="Tỷ lệ 37,1.7%", body_html="<p>Giá tăng 1,9.9 lần so với 1.250,5 đồng.</p>")
    assert client.get(f"/bai-viet/{article.slug}").status_code == 200


def test_ordinals_digits_and_romans():
    assert [ordinal_to_words(n) for n in (1, 2, 4, 14)] == ["nhất", "hai", "tư", "mười bốn"]
    assert digits_to_words("0216") == "không hai một sáu"
    assert [roman_to_int(r) for r in ("IV", "XXI", "XIII", "XV", "IIII", "VX", "")] == [4, 21, 13, 15, None, None, None]


SPOKEN = [
    # Numbers
    ("Huyện có 21 xã.", "Huyện có hai mươi mốt xã."),
    ("Xây dựng 105 phòng học.", "Xây dựng một trăm linh năm phòng học."),
    ("Tổng số 1.234 hộ.", "Tổng số một nghìn hai trăm ba mươi tư hộ."),
    ("Tổng vốn 1.250.000.000 đồng.", "Tổng vốn một tỷ hai trăm năm mươi triệu đồng."),
    ("Tăng 3,5 lần.", "Tăng ba phẩy năm lần."),
    ("Năm 2023 là năm bản lề.", f"Năm {Y2023} là năm bản lề."),
    ("Có 15 đại biểu và 25 khách mời.", "Có mười lăm đại biểu và hai mươi lăm khách mời."),
    ("Có 10 tổ và 20 nhóm.", "Có mười tổ và hai mươi nhóm."),
    ("Có 114 hộ nghèo.", "Có một trăm mười bốn hộ nghèo."),
    ("Dân số 1.000.005 người.", "Dân số một triệu không trăm linh năm người."),
    ("Vốn 2,5 tỷ đồng.", "Vốn hai phẩy năm tỷ đồng."),
    ("Tổng thu 1.234,5 triệu đồng.", "Tổng thu một nghìn hai trăm ba mươi tư phẩy năm triệu đồng."),
    ("Ngân sách 15 nghìn tỷ đồng.", "Ngân sách mười lăm nghìn tỷ đồng."),
    ("Cuộc cách mạng công nghiệp 4.0.", "Cuộc cách mạng công nghiệp bốn chấm không."),
    ("Khoảng 0,5 ha.", "Khoảng không phẩy năm héc-ta."),
    ("Nhiệt độ -5°C.", "Nhiệt độ âm năm độ xê."),
    ("Có ~300 người.", "Có khoảng ba trăm người."),
    ("Khoảng 10³ tế bào.", "Khoảng mười mũ ba tế bào."),
    ("Đạt >50% kế hoạch.", "Đạt trên năm mươi phần trăm kế hoạch."),
    # Dates
    ("Ngày 16/11/2023, hội nghị khai mạc.", f"Ngày mười sáu tháng mười một năm {Y2023}, hội nghị khai mạc."),
    ("Hội nghị diễn ra 16/11/2023.", f"Hội nghị diễn ra ngày mười sáu tháng mười một năm {Y2023}."),
    ("Kỷ niệm Quốc khánh 2/9.", "Kỷ niệm Quốc khánh ngày hai tháng chín."),
    ("Sáng ngày 2/9, nhân dân mít tinh.", "Sáng ngày hai tháng chín, nhân dân mít tinh."),
    ("Từ ngày 01/01/2024.", f"Từ ngày một tháng một năm {Y2024}."),
    ("Trong tháng 11/2023.", f"Trong tháng mười một năm {Y2023}."),
    ("Đến năm 2024.", f"Đến năm {Y2024}."),
    ("Dịp lễ 30/4 và 1/5.", "Dịp lễ ngày ba mươi tháng tư và ngày một tháng năm."),
    ("Ngày 16-11-2023.", f"Ngày mười sáu tháng mười một năm {Y2023}."),
    ("Mùng 2/9 năm nay.", "Mùng hai tháng chín năm nay."),
    ("Sáng ngày 16-11, đoàn đến thăm.", "Sáng ngày mười sáu tháng mười một, đoàn đến thăm."),
    ("Chào mừng Ngày Nhà giáo Việt Nam 20-11.", "Chào mừng Ngày Nhà giáo Việt Nam ngày hai mươi tháng mười một."),
    ("Đội xã thắng 3-1.", "Đội xã thắng ba - một."),
    ("Từ tháng 4 năm nay.", "Từ tháng tư năm nay."),
    ("Thời hạn 3 tháng 4 ngày.", "Thời hạn ba tháng bốn ngày."),
    ("Ngày 31/12 hằng năm.", "Ngày ba mươi mốt tháng mười hai hằng năm."),
    ("Hoàn thành trước 30/6. Thời gian gấp.", "Hoàn thành trước ngày ba mươi tháng sáu. Thời gian gấp."),
    ("Từ ngày 2-5/9.", "Từ ngày hai đến ngày năm tháng chín."),
    ("Từ 15-20/11/2023.", f"Từ mười lăm đến ngày hai mươi tháng mười một năm {Y2023}."),
    ("Từ 16/11/2023 - 18/11/2023.",
     f"Từ ngày mười sáu tháng mười một năm {Y2023} đến ngày mười tám tháng mười một năm {Y2023}."),
    # Times
    ("Lúc 7h30 sáng nay.", "Lúc bảy giờ ba mươi phút sáng nay."),
    ("Bắt đầu từ 7h.", "Bắt đầu từ bảy giờ."),
    ("Vào lúc 14:30 chiều.", "Vào lúc mười bốn giờ ba mươi phút chiều."),
    ("Cập nhật 2:14:00 CH.", "Cập nhật hai giờ mười bốn phút chiều."),
    ("Cập nhật 8:05:00 SA.", "Cập nhật tám giờ năm phút sáng."),
    ("Cập nhật 9:00 PM.", "Cập nhật chín giờ tối."),
    ("Trực 24h.", "Trực hai mươi tư giờ."),
    ("Từ 7h30-11h.", "Từ bảy giờ ba mươi phút đến mười một giờ."),
    ("Lúc 14 giờ 30 phút.", "Lúc mười bốn giờ ba mươi phút."),
    ("Cập nhật 14:30 CH.", "Cập nhật mười bốn giờ ba mươi phút chiều."),
    ("Cập nhật 12:15 CH.", "Cập nhật mười hai giờ mười lăm phút trưa."),
    ("Hoạt động 24/24h.", "Hoạt động hai mươi tư trên hai mươi tư giờ."),
    # Percentages, money, units, rates
    ("Tăng 12,5%.", "Tăng mười hai phẩy năm phần trăm."),
    ("Đạt 100 %.", "Đạt một trăm phần trăm."),
    ("Giảm từ 5-7%.", "Giảm từ năm đến bảy phần trăm."),
    ("Giá 500.000đ.", "Giá năm trăm nghìn đồng."),
    ("Hỗ trợ 500.000 đồng.", "Hỗ trợ năm trăm nghìn đồng."),
    ("Giá lúa 7.500 đồng/kg.", "Giá lúa bảy nghìn năm trăm đồng một ki-lô-gam."),
    ("Mức 25 triệu đồng/người/tháng.", "Mức hai mươi lăm triệu đồng một người một tháng."),
    ("Năng suất 60 tạ/ha.", "Năng suất sáu mươi tạ một héc-ta."),
    ("Trị giá 2 triệu USD.", "Trị giá hai triệu đô la Mỹ."),
    ("Tổng 30 triệu VNĐ.", "Tổng ba mươi triệu đồng."),
    ("Dài 12 km.", "Dài mười hai ki-lô-mét."),
    ("Rộng 3,5 m.", "Rộng ba phẩy năm mét."),
    ("Diện tích 200 ha lúa.", "Diện tích hai trăm héc-ta lúa."),
    ("Thu 50kg rác.", "Thu năm mươi ki-lô-gam rác."),
    ("Nắng nóng 39°C.", "Nắng nóng ba mươi chín độ xê."),
    ("Nhà 100 m2.", "Nhà một trăm mét vuông."),
    ("Đất 250m².", "Đất hai trăm năm mươi mét vuông."),
    ("Đổ 30 m³ bê tông.", "Đổ ba mươi mét khối bê tông."),
    ("Thu hoạch 5 tấn.", "Thu hoạch năm tấn."),
    ("Lượng mưa 120mm.", "Lượng mưa một trăm hai mươi mi-li-mét."),
    ("Chạy 50 km/h.", "Chạy năm mươi ki-lô-mét trên giờ."),
    ("Công suất 5 MW.", "Công suất năm mê-ga-oát."),
    ("Ba người ngồi.", "Ba người ngồi."),
    # Ranges
    ("Giai đoạn 2021-2025.", "Giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm."),
    ("Nhiệm kỳ 2020 – 2025.", "Nhiệm kỳ hai nghìn không trăm hai mươi đến hai nghìn không trăm hai mươi lăm."),
    ("Trong 5-7 ngày.", "Trong năm đến bảy ngày."),
    ("Năm học 2023/2024.", f"Năm học {Y2023} đến {Y2024}."),
    # Roman numerals in context, and not elsewhere
    ("Trong quý IV.", "Trong quý bốn."),
    ("Quý I/2024 tăng trưởng.", f"Quý một năm {Y2024} tăng trưởng."),
    ("Đại hội lần thứ XXI.", "Đại hội lần thứ hai mươi mốt."),
    ("Quốc hội khóa XV.", "Quốc hội khóa mười lăm."),
    ("Đại hội XIII của Đảng.", "Đại hội mười ba của Đảng."),
    ("Thế kỷ XXI.", "Thế kỷ hai mươi mốt."),
    ("Quý I và II.", "Quý một và hai."),
    ("Đô thị loại III.", "Đô thị loại ba."),
    ("Giải I thuộc về xã Đông.", "Giải nhất thuộc về xã Đông."),
    ("Hàm lượng vitamin VI và CD.", "Hàm lượng vitamin VI và CD."),
    ("Bằng lái hạng C.", "Bằng lái hạng C."),
    ("II. Nhiệm vụ trọng tâm", "Hai. Nhiệm vụ trọng tâm"),
    # Codes, phone numbers, document numbers
    ("Nhà số 02 đường Trần Phú.", "Nhà số không hai đường Trần Phú."),
    ("Điện thoại 0216 3871 234.", "Điện thoại không hai một sáu, ba tám bảy một, hai ba bốn."),
    ("Gọi 0912.345.678 ngay.", "Gọi không chín một hai, ba bốn năm, sáu bảy tám ngay."),
    ("Gọi 0912345678.", "Gọi không chín một hai, ba bốn năm, sáu bảy tám."),
    ("Đường dây nóng 113.", "Đường dây nóng một một ba."),
    ("Theo Quyết định số 1234/QĐ-UBND.",
     "Theo Quyết định số một nghìn hai trăm ba mươi tư trên Quyết định Ủy ban nhân dân."),
    ("Nghị quyết số 43/2022/QH15.",
     "Nghị quyết số bốn mươi ba năm hai nghìn không trăm hai mươi hai trên Quốc hội mười lăm."),
    ("Chỉ thị 05/CT-TTg.", "Chỉ thị năm trên Chỉ thị Thủ tướng."),
    ("Nghị quyết 06-NQ/TW.", "Nghị quyết sáu Nghị quyết Trung ương."),
    ("Quốc lộ 1A.", "Quốc lộ một A."),
    ("Dịch Covid-19.", "Dịch Cô-vít mười chín."),
    ("Cúm H5N1.", "Cúm H năm N một."),
    # Fractions and counts
    ("Khoảng 1/2 số hộ.", "Khoảng một phần hai số hộ."),
    ("Chiếm 2/3 diện tích.", "Chiếm hai phần ba diện tích."),
    ("Còn ½ diện tích.", "Còn một phần hai diện tích."),
    ("Có 15/20 xã đạt chuẩn.", "Có mười lăm trên hai mươi xã đạt chuẩn."),
    ("Có 10/12 xã đạt chuẩn.", "Có mười trên mười hai xã đạt chuẩn."),
    # Ordinals
    ("Thứ 2 tuần sau.", "Thứ hai tuần sau."),
    ("Chiều thứ 4.", "Chiều thứ tư."),
    ("Về thứ 1 toàn đoàn.", "Về thứ nhất toàn đoàn."),
    ("Kỳ họp thứ 14.", "Kỳ họp thứ mười bốn."),
    ("Lần thứ 21.", "Lần thứ hai mươi mốt."),
    # Abbreviations
    ("UBND huyện chỉ đạo.", "Ủy ban nhân dân huyện chỉ đạo."),
    ("HĐND xã họp.", "Hội đồng nhân dân xã họp."),
    ("MTTQ các cấp.", "Mặt trận Tổ quốc các cấp."),
    ("Phát triển KT-XH, giữ vững QP-AN.", "Phát triển kinh tế - xã hội, giữ vững quốc phòng - an ninh."),
    ("Công tác QS-QP địa phương.", "Công tác quân sự - quốc phòng địa phương."),
    ("LLVT huyện diễn tập KVPT.", "lực lượng vũ trang huyện diễn tập khu vực phòng thủ."),
    ("Ban CHQS xã.", "Ban chỉ huy quân sự xã."),
    ("Trường THCS và THPT.", "Trường trung học cơ sở và trung học phổ thông."),
    ("Tại TP. Hà Nội và TP.HCM.", "Tại thành phố Hà Nội và thành phố Hồ Chí Minh."),
    ("BCH, BTV Huyện ủy.", "Ban Chấp hành, Ban Thường vụ Huyện ủy."),
    ("Đồng chí CT, PCT UBND.", "Đồng chí Chủ tịch, Phó Chủ tịch Ủy ban nhân dân."),
    ("Theo NQ của CP và QĐ của TTg.", "Theo Nghị quyết của Chính phủ và Quyết định của Thủ tướng."),
    ("Các ĐBQH tiếp xúc cử tri.", "Các đại biểu Quốc hội tiếp xúc cử tri."),
    ("HTX và CCB giúp nhau.", "hợp tác xã và cựu chiến binh giúp nhau."),
    ("Xây dựng NTM, bảo đảm ATTP.", "Xây dựng nông thôn mới, bảo đảm an toàn thực phẩm."),
    ("Diễn tập PCCC.", "Diễn tập phòng cháy, chữa cháy."),
    ("Phòng GD&ĐT và GDĐT.", "Phòng giáo dục và đào tạo và giáo dục và đào tạo."),
    ("Phòng TN&MT huyện.", "Phòng tài nguyên và môi trường huyện."),
    ("XUBNDX và ubnd.", "XUBNDX và ubnd."),
    ("Các xã, v.v. đều tham gia.", "Các xã, vân vân đều tham gia."),
    ("Đ/c Bí thư Huyện ủy dự.", "đồng chí Bí thư Huyện ủy dự."),
]


@pytest.mark.parametrize("text, spoken", SPOKEN)
def test_spoken_form(text, spoken):
    assert spoken_form(text) == spoken


def test_nfd_input_gives_nfc_output():
    text = unicodedata.normalize("NFD", "Ngày 16/11/2023, UBND huyện họp.")
    spoken = spoken_form(text)
    assert spoken == unicodedata.normalize("NFC", spoken)
    assert spoken == f"Ngày mười sáu tháng mười một năm {Y2023}, Ủy ban nhân dân huyện họp."


def test_other_digit_scripts_and_numeric_characters_are_read():
    assert spoken_form("Có １２ xã") == "Có mười hai xã"
    assert spoken_form("khí CO₂ và ①") == "khí CO hai và một"


NEWS_PARAGRAPHS = [
    "Sáng 16/11/2023, tại Hội trường UBND huyện, HĐND huyện khóa XX, nhiệm kỳ 2021-2026 tổ chức kỳ họp thứ 12. "
    "Dự kỳ họp có 35/37 đại biểu, đồng chí Nguyễn Văn A - PCT UBND huyện (0216 3871 234).",
    "Năm 2023, tổng thu ngân sách đạt 1.250.000.000.000 đồng, tăng 12,5% so với cùng kỳ; thu nhập bình quân "
    "đạt 52,3 triệu đồng/người/năm. Tỷ lệ hộ nghèo giảm còn 3,05%.",
    "Thực hiện Quyết định số 1234/QĐ-UBND ngày 01/01/2024 và Nghị quyết 06-NQ/TW, huyện giải phóng mặt bằng "
    "120 ha, hỗ trợ 7.500 đồng/m2, hoàn thành trước 30/6. Thời gian từ 7h30 đến 17h00 các ngày từ thứ 2 đến thứ 6.",
    "Quý IV/2023, nhiệt độ trung bình 18-20°C, lượng mưa 150mm; 2/3 diện tích lúa (khoảng 1.200 ha) cho năng "
    "suất 60 tạ/ha. Giá lúa 7.200đ/kg, cao hơn 5% so với quý III.",
    "Đến 14:30 CH ngày 2/9, đã có 2.345 lượt khách, 105 xe và 21 đoàn; hotline 1900 1234 hoạt động 24/24h. "
    "Mã hồ sơ: 000123, số điện thoại 0912345678, Covid-19, H5N1, F0, 5G, 4.0, ½, ¼ và 10³.",
]


@pytest.mark.parametrize("paragraph", NEWS_PARAGRAPHS)
def test_no_digit_survives_in_news_paragraphs(paragraph):
    spoken = spoken_form(paragraph)
    assert not any(ch.isdigit() or ch.isnumeric() for ch in spoken), spoken
    assert spoken == unicodedata.normalize("NFC", spoken)


_NEWS_ALPHABET = st.sampled_from(list("0123456789 .,:/-–%°²³½hHđmkgIVXứáầ()&~") + [
    "UBND", "ngày ", "tháng ", "năm ", "thứ ", "quý ", "khóa ", "số ", "SA", "CH", "km", "ha", "đồng",
    "QĐ-", "TP.", "\u00a0", "０", "٣", "-", "/", "1.234", "2023", "0216 ", "\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_NEWS_ALPHABET, max_size=40).map("".join))
def test_no_digit_survives_any_text(text):
    spoken = spoken_form(text)
    assert not any(ch.isdigit() or ch.isnumeric() for ch in spoken), (text, spoken)
    assert spoken == unicodedata.normalize("NFC", spoken)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_every_integer_reads_without_digits_or_gaps(value):
    words = integer_to_words(value)
    assert words and "  " not in words and not any(ch.isdigit() for ch in words)
    assert spoken_form(f"Có {value:,} người".replace(",", ".")) == f"Có {words} người"


def test_abbreviations_extended_and_overridden_from_an_extra_file(tmp_path):
    extra = tmp_path / "abbreviations.tsv"
    extra.write_text(
        "# the site's own additions\n"
        "BQLDA\tBan Quản lý dự án\n"
        "UBND\tỦy ban\n"
        "KH\tKhoa học\tsign\n"
        "broken line without a tab\n"
        "X\tY\tnowhere\n",
        encoding="utf-8",
    )
    table = load_lexicon(extra)
    assert spoken_form("BQLDA huyện và UBND xã", table) == "Ban Quản lý dự án huyện và Ủy ban xã"
    assert spoken_form("số 5/KH-UBND", table) == "số năm trên Khoa học Ủy ban"
    assert "X" not in table.general
    assert spoken_form("BQLDA huyện") == "BQLDA huyện"


def test_extra_abbreviation_file_is_reread_after_an_edit(tmp_path):
    extra = tmp_path / "abbreviations.tsv"
    extra.write_text("BQLDA\tBan Quản lý dự án\n", encoding="utf-8")
    assert spoken_form("BQLDA", load_lexicon(extra)) == "Ban Quản lý dự án"
    extra.write_text("BQLDA\tBan Quản lý các dự án đầu tư\n", encoding="utf-8")
    assert spoken_form("BQLDA", load_lexicon(extra)) == "Ban Quản lý các dự án đầu tư"


def test_missing_or_unreadable_extra_file_falls_back_to_builtin(tmp_path):
    assert load_lexicon(tmp_path / "missing.tsv").general["UBND"] == "Ủy ban nhân dân"
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"\xff\xfe\x00broken")
    assert load_lexicon(bad).general["UBND"] == "Ủy ban nhân dân"


@pytest.mark.parametrize("text, sentences", [
    ("Huyện họp. Xã họp.", ["Huyện họp.", "Xã họp."]),
    ("Tại TP. Hà Nội, tăng 3.5 lần. Năm 2024 tốt hơn!", ["Tại TP. Hà Nội, tăng 3.5 lần.", "Năm 2024 tốt hơn!"]),
    ("PGS.TS. Nguyễn Văn A phát biểu. Hội nghị bế mạc.", ["PGS.TS. Nguyễn Văn A phát biểu.", "Hội nghị bế mạc."]),
    ("Tỷ lệ 3,5%. Đạt kế hoạch… và vượt. Tốt?", ["Tỷ lệ 3,5%.", "Đạt kế hoạch… và vượt.", "Tốt?"]),
    ("“Phải làm ngay.” Ông nói.", ["“Phải làm ngay.”", "Ông nói."]),
    ("Dòng một\nDòng hai", ["Dòng một", "Dòng hai"]),
    ("", []),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences
