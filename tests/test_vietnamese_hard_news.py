"""Hard news text, by kind: how an announcer says addresses, roads, symbols, ranges, context abbreviations,
units, series and lexicon words; the sentence splitter; the lexicon override; explain()."""
import logging

import pytest

from services.vietnamese import (
    Change,
    Lexicon,
    explain,
    load_lexicon,
    spoken_form,
    split_sentences,
)

Y2023 = "hai nghìn không trăm hai mươi ba"
Y2024 = "hai nghìn không trăm hai mươi tư"
WWW = "vê kép vê kép vê kép"

WEB_ADDRESSES = [
    ("Truy cập www.dichvucong.gov.vn để nộp hồ sơ.",
     f"Truy cập {WWW} chấm dịch vụ công chấm gốp chấm vê en để nộp hồ sơ."),
    ("Xem tại https://bacgiang.gov.vn/tin-tuc/123.",
     "Xem tại bacgiang chấm gốp chấm vê en gạch chéo tin gạch ngang tuc gạch chéo một hai ba."),
    ("Gửi thư về ubndhuyen@bacgiang.gov.vn.",
     "Gửi thư về u bê en đê huyen a còng bacgiang chấm gốp chấm vê en."),
    ("Liên hệ vanthu.ubnd@gmail.com hoặc gọi.",
     "Liên hệ vanthu chấm u bê en đê a còng gờ-meo chấm com hoặc gọi."),
    ("Cổng thông tin: http://www.baochinhphu.vn/", f"Cổng thông tin: {WWW} chấm báo Chính phủ chấm vê en"),
    ("Trang vnexpress.net đưa tin.", "Trang vi-en-ếch-prét chấm nét đưa tin."),
    ("Địa chỉ: WWW.HANOI.GOV.VN.", f"Địa chỉ: {WWW} chấm hanoi chấm gốp chấm vê en."),
    ("(xem thanhhoa.gov.vn)", "(xem thanhhoa chấm gốp chấm vê en)"),
    ("Tải tại https://dichvucong.gov.vn/p/a_b?id=5",
     "Tải tại dịch vụ công chấm gốp chấm vê en gạch chéo pê gạch chéo a gạch dưới bê chấm hỏi i đê bằng năm"),
    ("Hộp thư cskh2023@vnpt.vn luôn mở.",
     "Hộp thư xê ét ca hát hai không hai ba a còng vê en pê tê chấm vê en luôn mở."),
    ("Website tinhdoan.edu.vn, fanpage Tỉnh đoàn.",
     "Oép-sai tinhdoan chấm e-đu chấm vê en, phan-pết Tỉnh đoàn."),
]

ROADS = [
    ("Sự cố tại Km 12+500 QL.32.", "Sự cố tại ki-lô-mét mười hai cộng năm trăm quốc lộ ba mươi hai."),
    ("Tai nạn ở Km 215 quốc lộ 1A.", "Tai nạn ở ki-lô-mét hai trăm mười lăm quốc lộ một A."),
    ("Tuyến ĐT.605 đã thông xe.", "Tuyến đường tỉnh sáu trăm linh năm đã thông xe."),
    ("Nâng cấp ĐT605.", "Nâng cấp đường tỉnh sáu trăm linh năm."),
    ("Dọc QL32 và QL 14B.", "Dọc quốc lộ ba mươi hai và quốc lộ mười bốn B."),
    ("Đường TL 8 bị sạt.", "Đường tỉnh lộ tám bị sạt."),
    ("Tuyến QL.1A đoạn qua huyện.", "Tuyến quốc lộ một A đoạn qua huyện."),
    ("Thi công từ Km 10+200 - Km 12+300.",
     "Thi công từ ki-lô-mét mười cộng hai trăm đến ki-lô-mét mười hai cộng ba trăm."),
    ("Tại Km12+050 đường ĐH.12.", "Tại ki-lô-mét mười hai cộng năm mươi đường đường huyện mười hai."),
    ("Sạt lở tại km 45 QL.6.", "Sạt lở tại ki-lô-mét bốn mươi lăm quốc lộ sáu."),
    ("Dài 5 km 300 m.", "Dài năm ki-lô-mét ba trăm mét."),
    ("ĐT: 0216 3871 234.", "ĐT: không hai một sáu, ba tám bảy một, hai ba bốn."),
    ("Quốc lộ QL.279 và ĐT.741.", "Quốc lộ quốc lộ hai trăm bảy mươi chín và đường tỉnh bảy trăm bốn mươi mốt."),
]

SYMBOLS = [
    ("Phục vụ 24/7.", "Phục vụ hai mươi tư trên bảy."),
    ("Trực 24/7 trong dịp Tết.", "Trực hai mươi tư trên bảy trong dịp Tết."),
    ("Hoạt động 24/24.", "Hoạt động hai mươi tư trên hai mươi tư."),
    ("Lãi suất 6%/năm.", "Lãi suất sáu phần trăm một năm."),
    ("Tăng 0,5%/tháng.", "Tăng không phẩy năm phần trăm một tháng."),
    ("Lương 5 triệu đ/tháng.", "Lương năm triệu đồng một tháng."),
    ("Giá 500.000đ/tháng.", "Giá năm trăm nghìn đồng một tháng."),
    ("Tăng x2 so với năm trước.", "Tăng nhân hai so với năm trước."),
    ("Tấm pin 2x3 m.", "Tấm pin hai nhân ba mét."),
    ("Phòng 4 × 5 m.", "Phòng bốn nhân năm mét."),
    ("Kết quả 5+3 = 8.", "Kết quả năm cộng ba bằng tám."),
    ("Phim dán nhãn 18+.", "Phim dán nhãn mười tám cộng."),
    ("Nghỉ 1/2 ngày.", "Nghỉ nửa ngày."),
    ("Mất ½ giờ.", "Mất nửa giờ."),
    ("Sau 1/2 nhiệm kỳ.", "Sau nửa nhiệm kỳ."),
    ("Hơn 1/2 tháng qua.", "Hơn nửa tháng qua."),
    ("Giảm 1/2.", "Giảm một phần hai."),
    ("Tỷ lệ 1/2.", "Tỷ lệ một phần hai."),
    ("Ngày 1/2 năm nay.", "Ngày một tháng hai năm nay."),
    ("Sáng 1/2, đoàn về.", "Sáng ngày một tháng hai, đoàn về."),
    ("Từ 1/2 đến 15/2.", "Từ ngày một tháng hai đến ngày mười lăm tháng hai."),
    ("Đạt 35/37 đại biểu.", "Đạt ba mươi lăm trên ba mươi bảy đại biểu."),
    ("Tỷ lệ 3/4 số xã.", "Tỷ lệ ba phần bốn số xã."),
    ("Huyện đã hoàn thành 3/4 kế hoạch năm.", "Huyện đã hoàn thành ba phần bốn kế hoạch năm."),
    ("Giá đất tăng x2 chỉ sau 1/2 năm.", "Giá đất tăng nhân hai chỉ sau nửa năm."),
    ("Mức hỗ trợ 1,5 triệu đ/người/tháng.", "Mức hỗ trợ một phẩy năm triệu đồng một người một tháng."),
]

RANGES = [
    ("Từ 7h-11h.", "Từ bảy giờ đến mười một giờ."),
    ("Làm việc từ 7h - 11h hằng ngày.", "Làm việc từ bảy giờ đến mười một giờ hằng ngày."),
    ("Mở cửa 7h30-17h.", "Mở cửa bảy giờ ba mươi phút đến mười bảy giờ."),
    ("Từ 13h30 – 16h30.", "Từ mười ba giờ ba mươi phút đến mười sáu giờ ba mươi phút."),
    ("Từ tháng 10-2023 đến tháng 3-2024.",
     f"Từ tháng mười năm {Y2023} đến tháng ba năm {Y2024}."),
    ("Trong tháng 10-2023.", f"Trong tháng mười năm {Y2023}."),
    ("Tháng 4-2024 khởi công.", f"Tháng tư năm {Y2024} khởi công."),
    ("Đội A thắng đội B 3-0.", "Đội A thắng đội B ba - không."),
    ("Chung cuộc, Việt Nam thắng Thái Lan với tỷ số 2-1.",
     "Chung cuộc, Việt Nam thắng Thái Lan với tỷ số hai - một."),
    ("Hai đội hòa 1-1.", "Hai đội hòa một - một."),
    ("Trận chung kết, xã Đông thắng xã Tây 4-2.", "Trận chung kết, xã Đông thắng xã Tây bốn - hai."),
    ("Đội nhà thua 0-2.", "Đội nhà thua không - hai."),
    ("Trẻ 0-5 tuổi.", "Trẻ không đến năm tuổi."),
    ("Trong 5-7 ngày.", "Trong năm đến bảy ngày."),
    ("Ngày 3-2 kỷ niệm thành lập Đảng.", "Ngày ba tháng hai kỷ niệm thành lập Đảng."),
    ("Giai đoạn 2021-2025.",
     "Giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm."),
]

CONTEXT_ABBREVIATIONS = [
    ("BCH Đảng bộ huyện họp.", "Ban Chấp hành Đảng bộ huyện họp."),
    ("BCH Quân sự huyện tổ chức.", "Ban Chỉ huy Quân sự huyện tổ chức."),
    ("BCH quân sự xã.", "Ban Chỉ huy quân sự xã."),
    ("BCH Công đoàn cơ sở.", "Ban Chấp hành Công đoàn cơ sở."),
    ("BCH PCTT&TKCN tỉnh.", "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh."),
    ("BCH Phòng cháy chữa cháy.", "Ban Chỉ huy Phòng cháy chữa cháy."),
    ("BCH Đoàn Thanh niên.", "Ban Chấp hành Đoàn Thanh niên."),
    ("Hội nghị BCH lần thứ 5.", "Hội nghị Ban Chấp hành lần thứ năm."),
    ("TT. HĐND huyện giám sát.", "Thường trực Hội đồng nhân dân huyện giám sát."),
    ("TT.HĐND và TT UBND.", "Thường trực Hội đồng nhân dân và Thường trực Ủy ban nhân dân."),
    ("Đồng chí TT HU dự.", "Đồng chí Thường trực Huyện ủy dự."),
    ("TT. Huyện ủy làm việc.", "Thường trực Huyện ủy làm việc."),
    ("Khu phố 3, TT. Yên Viên.", "Khu phố ba, thị trấn Yên Viên."),
    ("UBND TT Phong Điền.", "Ủy ban nhân dân thị trấn Phong Điền."),
    ("Tại tp. Thủ Đức.", "Tại thành phố Thủ Đức."),
    ("Về tp.Hội An.", "Về thành phố Hội An."),
    ("BV Đa khoa tỉnh.", "Bệnh viện Đa khoa tỉnh."),
    ("Chuyển lên BVĐK huyện.", "Chuyển lên Bệnh viện Đa khoa huyện."),
    ("TTYT huyện tiêm chủng.", "Trung tâm Y tế huyện tiêm chủng."),
    ("Nguyễn Văn A (SN 1985).", "Nguyễn Văn A (sinh năm một nghìn chín trăm tám mươi lăm)."),
    ("Bà B, SN 2001, trú tại xã.", "Bà B, sinh năm hai nghìn không trăm linh một, trú tại xã."),
    ("Trú tại SN 12 đường Trần Phú.", "Trú tại số nhà mười hai đường Trần Phú."),
    ("Lúc 9g30 sáng.", "Lúc chín giờ ba mươi phút sáng."),
    ("Từ 9g đến 11g.", "Từ chín giờ đến mười một giờ."),
    ("Khai mạc 14g15 chiều nay.", "Khai mạc mười bốn giờ mười lăm phút chiều nay."),
    ("Bột 9g đường.", "Bột chín gam đường."),
]

UNITS = [
    ("Nhà 100m2.", "Nhà một trăm mét vuông."),
    ("Kho 50 m3.", "Kho năm mươi mét khối."),
    ("Đất 2 km2.", "Đất hai ki-lô-mét vuông."),
    ("Sàn 120 m².", "Sàn một trăm hai mươi mét vuông."),
    ("Bể 30m³.", "Bể ba mươi mét khối."),
    ("Diện tích 1.200 km².", "Diện tích một nghìn hai trăm ki-lô-mét vuông."),
    ("Giá 20 triệu đồng/m2.", "Giá hai mươi triệu đồng một mét vuông."),
    ("Năng suất 60 tạ/ha.", "Năng suất sáu mươi tạ một héc-ta."),
    ("Trồng mới 1.200 ha/năm.", "Trồng mới một nghìn hai trăm héc-ta một năm."),
    ("Đạt 7 tấn/ha.", "Đạt bảy tấn một héc-ta."),
    ("Mật độ 120 người/km².", "Mật độ một trăm hai mươi người một ki-lô-mét vuông."),
    ("Mật độ 95 người/km2.", "Mật độ chín mươi lăm người một ki-lô-mét vuông."),
    ("Lưu lượng 300 m³/s.", "Lưu lượng ba trăm mét khối trên giây."),
    ("Giá đất mỗi m2 tăng.", "Giá đất mỗi mét vuông tăng."),
    ("Cấp 500 m3 nước/ngày.", "Cấp năm trăm mét khối nước một ngày."),
    ("Nhiệt độ 12-14 độ C.", "Nhiệt độ mười hai đến mười bốn độ xê."),
    ("Nhà máy 50 MWp hòa lưới.", "Nhà máy năm mươi mê-ga-oát đỉnh hòa lưới."),
    ("Vitamin C và hạng C.", "Vitamin C và hạng C."),
]

SERIES = [
    ("Gọi 113, 114, 115 khi cần.", "Gọi một một ba, một một bốn, một một năm khi cần."),
    ("Các số 113, 114 và 115 miễn phí.", "Các số một một ba, một một bốn và một một năm miễn phí."),
    ("Cấp cứu 115, cứu hỏa 114.", "Cấp cứu một một năm, cứu hỏa một một bốn."),
    ("Gọi 111 để bảo vệ trẻ em.", "Gọi một một một để bảo vệ trẻ em."),
    ("Báo ngay qua số 113.", "Báo ngay qua số một một ba."),
    ("Cảnh sát 113 có mặt.", "Cảnh sát một một ba có mặt."),
    ("Có 114 hộ nghèo.", "Có một trăm mười bốn hộ nghèo."),
    ("Nhà số 115 đường Lê Lợi.", "Nhà số một trăm mười lăm đường Lê Lợi."),
    ("Các tổ 12, 13, 14 họp.", "Các tổ mười hai, mười ba, mười bốn họp."),
    ("Đường dây nóng 113 hoặc 114.", "Đường dây nóng một một ba hoặc một một bốn."),
]

LEXICON_WORDS = [
    ("Bệnh nhân Covid.", "Bệnh nhân Cô-vít."),
    ("Dịch COVID-19.", "Dịch cô-vít mười chín."),
    ("Học online qua Zalo.", "Học ôn-lai qua Da-lô."),
    ("Wifi miễn phí.", "Oai-phai miễn phí."),
    ("Gửi email hoặc e-mail.", "Gửi i-meo hoặc i-meo."),
    ("Đồng bào H'Mông ở Đắk Lắk.", "Đồng bào Hơ-mông ở Đắc Lắc."),
    ("Người M'Nông ở Đắk Nông.", "Người Mơ-nông ở Đắc Nông."),
    ("Huyện Krông Pắc.", "Huyện Crông Pắc."),
    ("Thành phố Pleiku và Kon Tum.", "Thành phố Plây-cu và Con Tum."),
    ("Tiêm vaccine phòng virus.", "Tiêm vắc-xin phòng vi-rút."),
    ("Sản phẩm OCOP 4 sao.", "Sản phẩm ô-cốp bốn sao."),
    ("Tăng trưởng GRDP.", "Tăng trưởng gờ-e-rờ-đê-pê."),
    ("Quét mã QR.", "Quét mã kiu-a."),
    ("Onlinex và covidy.", "Onlinex và covidy."),
    ("Xem trên fanpage và kênh YouTube.", "Xem trên phan-pết và kênh Diu-túp."),
    ("Đồng bào Ê Đê, M'Nông ở Krông Bông.", "Đồng bào Ê Đê, Mơ-nông ở Crông Bông."),
]

KINDS = {
    "web address": WEB_ADDRESSES,
    "road": ROADS,
    "symbol": SYMBOLS,
    "range": RANGES,
    "context abbreviation": CONTEXT_ABBREVIATIONS,
    "unit": UNITS,
    "series": SERIES,
    "lexicon word": LEXICON_WORDS,
}
ROWS = [pytest.param(text, spoken, id=f"{kind}: {text}") for kind, rows in KINDS.items() for text, spoken in rows]


@pytest.mark.parametrize("text, spoken", ROWS)
def test_hard_news_by_kind(text, spoken):
    assert spoken_form(text) == spoken


ODD_TEXT = ["Xem https://a.vn/m²", "x@y.vn²", "Km 99999+1", "QL.0", "SN", "BCH", "TT.", "1/2", "½", "24/7/2024",
            "tháng 13-2023", "9g75", "113,114,115", "+", "x", "ĐT 0912 345 678"]


@pytest.mark.parametrize("text", [text for rows in KINDS.values() for text, _ in rows] + ODD_TEXT)
def test_no_digit_and_no_dot_between_letters_is_left(text):
    spoken = spoken_form(text)
    assert not any(ch.isdigit() for ch in spoken), spoken


SENTENCES = [
    ("Huyện họp. Xã họp.", ["Huyện họp.", "Xã họp."]),
    ("Tại TP. Hà Nội, trời mưa. Ngày mai nắng.", ["Tại TP. Hà Nội, trời mưa.", "Ngày mai nắng."]),
    ("Về tp. Thủ Đức dự lễ. Đoàn về sau.", ["Về tp. Thủ Đức dự lễ.", "Đoàn về sau."]),
    ("Tại Tp. Hồ Chí Minh có mưa.", ["Tại Tp. Hồ Chí Minh có mưa."]),
    ("PGS.TS. Nguyễn Văn A phát biểu. Hội nghị bế mạc.", ["PGS.TS. Nguyễn Văn A phát biểu.", "Hội nghị bế mạc."]),
    ("ThS. Lê Thị B trình bày. Mọi người lắng nghe.", ["ThS. Lê Thị B trình bày.", "Mọi người lắng nghe."]),
    ("TS. BS. Trần C khám bệnh.", ["TS. BS. Trần C khám bệnh."]),
    ("Ông Nguyễn V. A. phát biểu.", ["Ông Nguyễn V. A. phát biểu."]),
    ("Tác giả Nguyễn V. A. Trần cùng dự.", ["Tác giả Nguyễn V. A. Trần cùng dự."]),
    ("Thu 1.250 tỷ đồng. Chi 900 tỷ.", ["Thu 1.250 tỷ đồng.", "Chi 900 tỷ."]),
    ("Tăng 3.5 lần. Giảm 2,5 lần.", ["Tăng 3.5 lần.", "Giảm 2,5 lần."]),
    ("Đạt kế hoạch… và vượt. Tốt?", ["Đạt kế hoạch… và vượt.", "Tốt?"]),
    ("Các tỉnh Hà Giang, Lào Cai… Yên Bái đều mưa.", ["Các tỉnh Hà Giang, Lào Cai… Yên Bái đều mưa."]),
    ("Mọi việc đã xong... Ngày mai họp tiếp.", ["Mọi việc đã xong...", "Ngày mai họp tiếp."]),
    ("Có ai không? Không ai cả! Thế thôi.", ["Có ai không?", "Không ai cả!", "Thế thôi."]),
    ("“Phải làm ngay.” Ông nói.", ["“Phải làm ngay.”", "Ông nói."]),
    ("Ông nói: “Làm ngay!” Cả hội trường vỗ tay.", ["Ông nói: “Làm ngay!”", "Cả hội trường vỗ tay."]),
    ("“Có làm được không?” ông hỏi.", ["“Có làm được không?” ông hỏi."]),
    ("Xây xong (đúng hạn). Năm sau tiếp.", ["Xây xong (đúng hạn).", "Năm sau tiếp."]),
    ("Nhà ở số 12/5 Lê Lợi, P. Tân Phong, Q. 7. Đã bàn giao.",
     ["Nhà ở số 12/5 Lê Lợi, P. Tân Phong, Q. 7.", "Đã bàn giao."]),
    ("Tại P.12, Q.5 có mưa. Trời lạnh.", ["Tại P.12, Q.5 có mưa.", "Trời lạnh."]),
    ("Đọc www.dichvucong.gov.vn để biết. Hạn chót là thứ 6.",
     ["Đọc www.dichvucong.gov.vn để biết.", "Hạn chót là thứ 6."]),
    ("Năm 2023 tăng. 15 xã đạt chuẩn.", ["Năm 2023 tăng.", "15 xã đạt chuẩn."]),
    ("Các xã, v.v. Đều tham gia.", ["Các xã, v.v. Đều tham gia."]),
    ("Sự cố tại Km 12+500 QL.32. Xe cứu hộ đến.", ["Sự cố tại Km 12+500 QL.32.", "Xe cứu hộ đến."]),
    ("Đi ĐT. 605 rồi về. Xong.", ["Đi ĐT. 605 rồi về.", "Xong."]),
    ("Dòng một\nDòng hai", ["Dòng một", "Dòng hai"]),
    ("  Nhiều   khoảng trắng.   Câu hai.  ", ["Nhiều khoảng trắng.", "Câu hai."]),
    ("Không có dấu kết thúc", ["Không có dấu kết thúc"]),
    ("", []),
]


@pytest.mark.parametrize("text, sentences", SENTENCES)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_split_sentences_uses_the_editors_dotted_keys(tmp_path):
    extra = tmp_path / "lexicon.tsv"
    extra.write_text("Tx.\tthị xã\nCCB.\tcựu chiến binh\n", encoding="utf-8")
    text = "Hội CCB. Huyện họp."
    assert split_sentences(text) == ["Hội CCB.", "Huyện họp."]
    assert split_sentences(text, load_lexicon(extra)) == ["Hội CCB. Huyện họp."]


# The lexicon: words, context rules and the editor's file


def test_the_built_in_lexicon_is_loaded_once_and_hashed_by_identity():
    table = load_lexicon()
    assert spoken_form("UBND huyện", table) == "Ủy ban nhân dân huyện"
    assert {table, load_lexicon()} == {table}  # the same cached table, hashed by identity
    assert Lexicon({}) != Lexicon({})


def test_editor_file_adds_words_rules_and_overrides(tmp_path):
    extra = tmp_path / "abbreviations.tsv"
    extra.write_text(
        "# the site's own lexicon\n"
        "Covid\tcô-rô-na\tword\n"
        "Ea Kly\tÊ-a Cli\tword\n"
        "BQLDA\tBan Quản lý dự án\n"
        "BCH\tBan Chỉ huy\t\tnext=Bảo vệ\n"
        "BCH\tBan Chỉ huy Biên phòng\t\tnext=BP\n"
        "HTX\tHợp tác xã\t\tprev=Liên minh\n"
        "broken line without a tab\n"
        "X\tY\tnowhere\n"
        "Z\tzét\t\tsideways=A\n",
        encoding="utf-8",
    )
    table = load_lexicon(extra)
    assert spoken_form("Covid ở xã Ea Kly", table) == "Cô-rô-na ở xã Ê-a Cli"
    assert spoken_form("BQLDA và BCH Bảo vệ", table) == "Ban Quản lý dự án và Ban Chỉ huy Bảo vệ"
    assert spoken_form("Liên minh HTX và HTX Đông", table) == "Liên minh Hợp tác xã và hợp tác xã Đông"
    assert spoken_form("BCH Quân sự", table) == "Ban Chỉ huy Quân sự"
    assert spoken_form("BCH Bảo vệ") == "Ban Chấp hành Bảo vệ"
    assert "X" not in table.general and "Z" not in table.general
    assert not [rule for rule in table.rules if rule.key == "Z"]


def test_editor_rule_is_tried_before_a_builtin_one(tmp_path):
    extra = tmp_path / "abbreviations.tsv"
    extra.write_text("SN\tsố\t\tnext={year};prev=căn hộ\n", encoding="utf-8")
    table = load_lexicon(extra)
    assert spoken_form("căn hộ SN 2024", table) == f"căn hộ số {Y2024}"
    assert spoken_form("ông A, SN 2004", table) == "ông A, sinh năm hai nghìn không trăm linh bốn"
    assert spoken_form("căn hộ SN 2024") == f"căn hộ sinh năm {Y2024}"


def test_malformed_or_missing_lexicon_file_is_logged_never_fatal(tmp_path, caplog):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"\xff\xfe\x00broken")
    with caplog.at_level(logging.WARNING):
        assert load_lexicon(bad).words["covid"] == "cô-vít"
        assert load_lexicon(tmp_path / "missing.tsv").general["BV"] == "Bệnh viện"
    assert "not read" in caplog.text


def test_a_word_is_whole_and_keeps_its_capital():
    assert spoken_form("online, Online, ONLINE") == "ôn-lai, Ôn-lai, ôn-lai"
    assert spoken_form("onlinex") == "onlinex"


# explain(): which rule or entry changed which part


def test_explain_names_each_rule_and_entry_in_order():
    changes = explain("BCH Quân sự họp lúc 7h30 tại Km 12+500, gọi 113, Covid-19.")
    assert all(isinstance(change, Change) for change in changes)
    assert [(c.original, c.spoken, c.rule) for c in changes] == [
        ("Km 12+500", "ki-lô-mét mười hai cộng năm trăm", "road"),
        ("113", "một một ba", "emergency number"),
        ("BCH", "Ban Chỉ huy", "lexicon BCH (next=Quân sự|QS|Phòng cháy|PCCC|Phòng chống|Phòng, chống|PCTT|"
                               "PCTT&TKCN|Biên phòng|BĐBP|Đồn|Công trường|Thi hành)"),
        ("Covid-19", "Covid 19", "range or sign"),
        ("7h30", "bảy giờ ba mươi phút", "clock time"),
        ("19", "mười chín", "number"),
        ("Covid", "Cô-vít", "lexicon Covid"),
    ]


def test_explain_reports_abbreviations_and_web_addresses():
    changes = explain("UBND tại dichvucong.gov.vn")
    assert Change("dichvucong.gov.vn", "dịch vụ công chấm gốp chấm vê en", "web address") in changes
    assert Change("UBND", "Ủy ban nhân dân", "abbreviation UBND") in changes


def test_explain_of_text_that_needs_nothing_is_empty():
    assert explain("Trời hôm nay đẹp.") == []
    assert explain("") == []


def test_explain_uses_the_table_given(tmp_path):
    extra = tmp_path / "abbreviations.tsv"
    extra.write_text("BQLDA\tBan Quản lý dự án\n", encoding="utf-8")
    assert explain("BQLDA") == []
    assert explain("BQLDA", load_lexicon(extra)) == [Change("BQLDA", "Ban Quản lý dự án", "abbreviation BQLDA")]
