"""Deterministic demo stories: original Vietnamese text written for this project.

The sentences below were written for docbai; none is copied from any website. Each article tells of one
event in the fictional mountain district of Đồng Lâm — a meeting, a harvest, a road, a notice — and its
title, lead, body, pictures and captions are made from the same facts, so that dates agree (a report
follows the event, a notice comes before it) and figures are plausible for a poor highland district.
Together they exercise what reading, listening and printing must handle: dates, times, numbers with
thousands dots and decimal commas, percentages, money, units, ranges, Roman numerals, phone numbers,
document numbers and the abbreviations of local-government news.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

DEMO_SEED = 20231116
# A fixed anchor keeps the demo the same on every machine; the newest article is a little before it.
ANCHOR = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

CATEGORIES = [
    ("Tin tức - Sự kiện", "tin-tuc-su-kien"),
    ("Kinh tế", "kinh-te"),
    ("Văn hóa - Xã hội", "van-hoa-xa-hoi"),
    ("Quốc phòng - An ninh", "quoc-phong-an-ninh"),
    ("Nông thôn mới", "nong-thon-moi"),
    ("Thông báo", "thong-bao"),
]
PLACES = [
    "xã Tân Phong", "xã Hòa Bình", "thị trấn Đồng Lâm", "xã Nậm Khắt", "xã Lao Chải", "xã Khau Phạ",
    "xã Púng Luông", "xã Cao Phạ", "xã Kim Nọi", "xã Hồ Bốn", "xã Nà Hẩu", "xã Pá Khoang", "xã Sơn Thủy",
    "xã Bản Mế", "xã Phìn Hồ", "xã Suối Giàng", "xã Tả Van Chư",
]
VILLAGES = ["Háng Đề Dê", "Làng Mới", "Bản Phạ", "Dề Thàng", "Tà Ghênh", "Khe Cóc", "Pú Nhũng", "Nả Thác",
            "Sáng Pao", "Trống Tông", "Lìm Mông", "Co Mạ"]
# (name, office) of the district's leaders; the same people hold the same offices in every article.
CHAIRS = [("Hoàng Minh Đức", "Chủ tịch UBND huyện"), ("Lò Văn Thắng", "Phó Chủ tịch UBND huyện"),
          ("Nguyễn Thị Hạnh", "Phó Chủ tịch UBND huyện")]
COUNCILLORS = [("Trần Quốc Bảo", "Chủ tịch HĐND huyện"), ("Vàng Thị Mỷ", "Phó Chủ tịch HĐND huyện"),
               ("Lê Thu Trang", "Trưởng Ban Pháp chế HĐND huyện")]
MILITARY_CHIEF = "Phạm Văn Hùng"
VILLAGERS = ["Giàng A Tủa", "Sùng A Lử", "Mùa A Sênh", "Hờ A Chu", "Lò Văn Pọm", "Lý A Sáng", "Vàng A Dình",
             "Cứ A Tráng"]
VILLAGERS_WOMEN = ["Lý Thị Dung", "Mùa Thị Dở", "Lò Thị Xiêm", "Giàng Thị Mai", "Sùng Thị Pà", "Hà Thị Lan"]
AUTHORS = ["Minh Anh", "Thu Hà", "Quang Huy", "Lò Thị Xuân", "Giàng A Chư", "Ngọc Lan", "Đức Thịnh"]
LINKS = [
    ("Cổng thông tin điện tử Chính phủ", "https://chinhphu.vn"),
    ("Dịch vụ công quốc gia", "https://dichvucong.gov.vn"),
    ("Báo Nhân Dân", "https://nhandan.vn"),
    ("Thư viện pháp luật", "https://thuvienphapluat.vn"),
]
# What a long article adds after the event itself: the district's own background, true of every article.
BACKGROUND = [
    "Huyện Đồng Lâm có diện tích tự nhiên hơn 1.190 km², dân số khoảng 68.000 người, đồng bào dân tộc thiểu số "
    "chiếm trên 90%; nhiều xã cách trung tâm huyện trên 40 km, địa hình chia cắt mạnh.",
    "Thời gian qua, cấp ủy, chính quyền huyện đã tập trung chỉ đạo các nhiệm vụ phát triển KT-XH, bảo đảm QP-AN; "
    "đời sống vật chất, tinh thần của đồng bào các dân tộc từng bước được nâng lên.",
    "Với phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, dân thụ hưởng”, các xã đã phát huy vai trò của "
    "người có uy tín, trưởng thôn, bản trong vận động nhân dân.",
    "UBND huyện đề nghị MTTQ và các đoàn thể tiếp tục tuyên truyền để người dân hiểu, đồng thuận và tham gia tích "
    "cực; kết quả thực hiện được đưa vào đánh giá thi đua cuối năm.",
    "Những khó khăn còn lại, nhất là về vốn, giao thông và nhân lực ở cơ sở, đã được huyện tổng hợp, kiến nghị "
    "tỉnh xem xét hỗ trợ trong kế hoạch năm sau.",
    "Thông tin thêm được đăng trên Cổng thông tin điện tử huyện, phát trên Đài Truyền thanh - Truyền hình huyện và "
    "niêm yết tại trụ sở UBND các xã, thị trấn.",
    "Người dân có ý kiến, kiến nghị có thể gửi qua Trang thông tin phản ánh của huyện hoặc gọi đường dây nóng "
    "0216 3870 115 trong giờ hành chính.",
]


@dataclass
class Story:
    """One demo article before it is stored: everything in it is about one event."""

    category: str
    title: str
    summary: str
    paragraphs: list[str]
    extras: list[str] = field(default_factory=list)  # more of the same event, for the long articles
    scene: str | None = None
    captions: list[str] = field(default_factory=list)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _decimal(value: float, places: int = 1) -> str:
    """1234.56 → "1.234,6"; a whole number is written without its ",0"."""
    text = f"{value:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.removesuffix("," + "0" * places)


def date_text(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _roman(value: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    text = ""
    for amount, numeral in numerals:
        while value >= amount:
            text, value = text + numeral, value - amount
    return text


def capitalized(text: str) -> str:
    return text[0].upper() + text[1:]


def _before(rng: random.Random, published: dt.datetime, most: int = 3) -> dt.date:
    """The day a reported event took place: one to a few days before it was published."""
    return published.date() - dt.timedelta(days=rng.randint(1, most))


def _after(rng: random.Random, published: dt.datetime, least: int = 3, most: int = 10) -> dt.date:
    """The day an announced event will take place: a few days after the notice."""
    return published.date() + dt.timedelta(days=rng.randint(least, most))


def _quarter(month: int) -> str:
    return _roman((month - 1) // 3 + 1)


def _phone(rng: random.Random) -> str:
    return f"0216 {rng.randint(3800, 3899)} {rng.randint(100, 999)}"


def _money(rng: random.Random, low: int, high: int) -> str:
    """An amount in millions of đồng, written in full: 1.250.000.000 đồng."""
    return _number(rng.randint(low, high) * 1_000_000) + " đồng"


def _winter(month: int) -> bool:
    return month in (11, 12, 1, 2, 3)


def _rainy(month: int) -> bool:
    return month in (5, 6, 7, 8, 9)


def _council(when: dt.date) -> tuple[str, str]:
    """The council's term and its number: elected in March 2021 and again in March 2026."""
    return ("XXII", "2026-2031") if when >= dt.date(2026, 4, 1) else ("XXI", "2021-2026")


MEETING_TOPICS = [
    ("tiến độ giải ngân vốn đầu tư công", "Tính đến ngày {day}, toàn huyện giải ngân được {percent}% kế hoạch vốn"),
    ("công tác phòng, chống thiên tai", "Từ đầu năm, thiên tai làm hư hỏng {count} nhà ở, thiệt hại ước {money}"),
    ("kết quả thu ngân sách", "Tổng thu ngân sách trên địa bàn đạt {money}, bằng {percent}% dự toán tỉnh giao"),
    ("công tác cải cách hành chính", "Bộ phận một cửa huyện tiếp nhận {count} hồ sơ, {percent}% được giải quyết đúng hạn"),
    ("chương trình xây dựng nông thôn mới", "Toàn huyện đã có {small} xã đạt chuẩn nông thôn mới, bình quân đạt {criteria} tiêu chí/xã"),
    ("công tác chuyển đổi số", "{percent}% hồ sơ thủ tục hành chính được tiếp nhận trực tuyến, {count} người dân đã kích hoạt tài khoản định danh điện tử"),
]


def ubnd_meeting(rng, place, published):
    held = _before(rng, published)
    topic, finding = rng.choice(MEETING_TOPICS)
    figures = {"day": date_text(held), "percent": _decimal(rng.uniform(55, 97)), "count": _number(rng.randint(140, 4800)),
               "money": _money(rng, 800, 9800), "small": rng.randint(4, 11), "criteria": _decimal(rng.uniform(14, 18.5))}
    finding = finding.format(**figures)
    chair, office = rng.choice(CHAIRS)
    return Story(
        "tin-tuc-su-kien",
        f"UBND huyện họp bàn {topic} tháng {held.month}/{held.year}",
        f"Ngày {date_text(held)}, UBND huyện Đồng Lâm họp đánh giá {topic} và giao nhiệm vụ cho các xã, thị trấn.",
        [
            f"Ngày {date_text(held)}, UBND huyện Đồng Lâm tổ chức cuộc họp đánh giá {topic} {rng.choice(['tháng', 'từ đầu năm đến hết tháng'])} "
            f"{held.month}. Đồng chí {chair}, {office}, chủ trì cuộc họp.",
            f"Theo báo cáo của các phòng chuyên môn, {finding[0].lower() + finding[1:]}. Một số xã vùng cao như "
            f"{place} còn gặp khó khăn do địa bàn rộng, giao thông đi lại vất vả.",
            f"Cuộc họp diễn ra từ {rng.choice(['7h30', '8h00', '14h00'])} với sự tham gia của lãnh đạo các phòng, ban, "
            f"MTTQ huyện và chủ tịch UBND {rng.randint(12, 17)} xã, thị trấn.",
            f"Kết luận cuộc họp, đồng chí {chair} yêu cầu các đơn vị hoàn thành các nhiệm vụ còn lại trong quý "
            f"{_quarter(held.month)}, báo cáo kết quả về UBND huyện trước ngày "
            f"{date_text(held + dt.timedelta(days=rng.randint(10, 25)))}.",
        ],
        [
            "Các đại biểu thảo luận thẳng thắn về nguyên nhân của những tồn tại, trong đó có việc phối hợp giữa các "
            "phòng, ban với UBND các xã chưa chặt chẽ.",
            f"UBND huyện giao Văn phòng HĐND và UBND huyện theo dõi, đôn đốc việc thực hiện; đơn vị nào chậm tiến độ "
            f"phải báo cáo rõ nguyên nhân tại phiên họp tháng {held.month % 12 + 1}.",
        ],
        "meeting",
        [f"Quang cảnh cuộc họp ngày {date_text(held)}.", f"Đồng chí {chair}, {office}, phát biểu kết luận."],
    )


def _period(day: dt.date) -> str:
    """The period a report of that day looks back on."""
    if day.month in (12, 1):
        return f"năm {day.year if day.month == 12 else day.year - 1}"
    if day.month in (6, 7):
        return f"6 tháng đầu năm {day.year}"
    return f"từ đầu năm {day.year} đến nay"


def council_session(rng, place, published):
    held = _before(rng, published, 2)
    number, term = _council(held)
    session = rng.randint(2, 14)
    resolutions = rng.randint(5, 19)
    level = rng.choice(["huyện", place])
    whose = "HĐND huyện" if level == "huyện" else f"HĐND {place}"
    return Story(
        "tin-tuc-su-kien",
        capitalized(f"{whose} khóa {number} tổ chức kỳ họp thứ {session}, thông qua {resolutions} nghị quyết"),
        f"Kỳ họp thứ {session} {whose} khóa {number}, nhiệm kỳ {term}, bế mạc sau {rng.choice(['một', 'hai'])} ngày làm việc.",
        [
            f"Ngày {date_text(held)}, {whose} khóa {number}, nhiệm kỳ {term}, tổ chức kỳ họp thứ {session}. Dự kỳ họp có "
            f"{rng.randint(28, 38) if level == 'huyện' else rng.randint(18, 26)} đại biểu HĐND, đại diện MTTQ và các đoàn thể.",
            f"Kỳ họp đã xem xét các báo cáo về tình hình KT-XH, QP-AN {_period(held)}; tổng thu ngân sách trên "
            f"địa bàn ước đạt {_money(rng, *((45_000, 160_000) if level == 'huyện' else (900, 6400)))}, bằng "
            f"{_decimal(rng.uniform(92, 118))}% dự toán.",
            f"Tại kỳ họp, các đại biểu đã biểu quyết thông qua {resolutions} nghị quyết, trong đó có nghị quyết về kế "
            f"hoạch đầu tư công và nghị quyết số {rng.randint(10, 95)}/NQ-HĐND về chính sách hỗ trợ giảm nghèo.",
            f"Kỳ họp cũng dành thời gian trả lời chất vấn về {rng.choice(['chất lượng nước sinh hoạt', 'tiến độ cấp giấy chứng nhận quyền sử dụng đất', 'sửa chữa trường học vùng cao', 'giá vật tư nông nghiệp'])}, "
            f"vấn đề được nhiều cử tri quan tâm"
            + (", đồng thời nhìn lại kết quả nhiệm kỳ 2021-2026." if term != "2021-2026" else "."),
        ],
        [
            f"Phát biểu bế mạc, Chủ tịch {whose} đề nghị các đại biểu tuyên truyền nghị quyết tới cử tri và giám sát "
            f"việc thực hiện ngay từ những tháng đầu.",
        ],
        "meeting",
        [f"Các đại biểu biểu quyết thông qua nghị quyết tại kỳ họp thứ {session}.", "Quang cảnh kỳ họp."],
    )


VOTERS_CONCERNS = [
    ("sửa chữa tuyến đường liên thôn bị sạt lở", "mùa mưa năm nay đường sạt nhiều đoạn, xe máy không qua được"),
    ("xây thêm phòng học cho điểm trường lẻ", "điểm trường của thôn mới có hai phòng, các cháu phải học ghép lớp"),
    ("cấp nước sinh hoạt cho các thôn vùng cao", "mùa khô bà con phải gánh nước từ khe suối cách nhà hơn 2 km"),
    ("hỗ trợ giống cây trồng sau thiên tai", "trận lũ vừa qua vùi lấp gần hết ruộng ngô của nhiều hộ trong thôn"),
    ("làm cầu treo qua suối", "mỗi khi nước suối lên, học sinh trong thôn phải nghỉ học vì không qua được"),
]


def voters_meeting(rng, place, published):
    held = _before(rng, published)
    number, _ = _council(held)
    voters = rng.randint(80, 260)
    opened = held + dt.timedelta(days=rng.randint(6, 20))
    concern, worry = rng.choice(VOTERS_CONCERNS)
    return Story(
        "tin-tuc-su-kien",
        f"Đại biểu HĐND huyện tiếp xúc {voters} cử tri {place}",
        f"Cử tri {place} kiến nghị {concern}; nhiều ý kiến đã được giải đáp ngay tại buổi tiếp xúc.",
        [
            f"Ngày {date_text(held)}, tổ đại biểu HĐND huyện khóa {number} đơn vị bầu cử số {rng.randint(1, 9)} tiếp xúc "
            f"cử tri {place} trước kỳ họp HĐND huyện, dự kiến khai mạc ngày {date_text(opened)}.",
            f"Tham dự buổi tiếp xúc có {voters} cử tri đại diện cho {rng.randint(5, 14)} thôn, bản. Cử tri đã nêu "
            f"{rng.randint(6, 21)} ý kiến, kiến nghị.",
            f"Nhiều ý kiến đề nghị {concern}. Ông {rng.choice(VILLAGERS)}, thôn {rng.choice(VILLAGES)}, cho biết "
            f"{worry}.",
            f"Thay mặt tổ đại biểu, đồng chí {', '.join(rng.choice(COUNCILLORS))}, tiếp thu, giải trình các ý kiến thuộc thẩm "
            f"quyền; những ý kiến khác sẽ được tổng hợp, gửi tới kỳ họp.",
        ],
        [],
        "meeting",
        [f"Cử tri {place} nêu kiến nghị tại buổi tiếp xúc."],
    )


def season_crop(month: int) -> tuple[str, str, str]:
    """What is harvested in a mountain district that month: the crop, its unit of yield, the picture."""
    if month in (1, 2):
        return "quế", "tấn vỏ quế khô", "fields"
    if month in (3, 4):
        return "chè shan tuyết", "tấn búp tươi", "fields"
    if month in (5, 6):
        return "lúa xuân", "tạ/ha", "fields"
    if month in (7, 8):
        return "ngô hè thu", "tạ/ha", "fields"
    if month in (9, 10):
        return "lúa mùa", "tạ/ha", "fields"
    return "thảo quả", "tấn quả tươi", "fields"


# Đồng per kilogram at the farm gate, low and high.
CROP_PRICES = {"quế": (18_000, 42_000), "chè shan tuyết": (12_000, 38_000), "lúa xuân": (7_000, 9_500),
               "ngô hè thu": (6_000, 8_500), "lúa mùa": (7_000, 9_500), "thảo quả": (35_000, 70_000)}


def harvest(rng, place, published):
    crop, unit, scene = season_crop(published.month)
    area = rng.randint(60, 980)
    if unit == "tạ/ha":
        yield_ = rng.uniform(38, 62) if "lúa" in crop else rng.uniform(32, 48)
        output = area * yield_ / 10
        result = f"năng suất bình quân đạt {_decimal(yield_)} tạ/ha, sản lượng ước {_number(round(output))} tấn"
        headline = f"năng suất đạt {_decimal(yield_)} tạ/ha"
    else:
        output = round(area * rng.uniform(0.4, 2.6))
        result = f"sản lượng ước đạt {_number(output)} {unit}"
        headline = f"sản lượng ước {_number(output)} {unit.split()[0]}"
    farmer = rng.choice(VILLAGERS)
    return Story(
        "kinh-te",
        f"{capitalized(place)} thu hoạch {_number(area)} ha {crop}, {headline}",
        f"Thời tiết thuận lợi, {crop} ở {place} cho thu hoạch khá; bà con tranh thủ thu hoạch trước đợt mưa.",
        [
            f"Những ngày này, người dân {place} đang tập trung thu hoạch {_number(area)} ha {crop}. Theo UBND xã, "
            f"{result}, tăng {_decimal(rng.uniform(1.5, 9.5))}% so với năm {published.year - 1}.",
            f"Ông {farmer}, thôn {rng.choice(VILLAGES)}, cho biết gia đình có {rng.randint(2, 9)} sào {crop}; nhờ làm "
            f"đúng lịch thời vụ và bón phân cân đối, năm nay thu nhập ước đạt {rng.randint(35, 120)} triệu đồng.",
            f"Để bảo đảm thu hoạch nhanh, gọn, UBND xã đã huy động {rng.randint(40, 180)} đoàn viên thanh niên giúp "
            f"các hộ neo đơn, hộ nghèo.",
        ],
        [
            "Trạm Khuyến nông huyện khuyến cáo bà con sau thu hoạch cần làm đất, vệ sinh đồng ruộng, chuẩn bị giống "
            "cho vụ sau theo đúng khung lịch thời vụ.",
        ],
        scene,
        [f"Người dân {place} thu hoạch {crop}.", f"{capitalized(crop)} ở {place} vào mùa thu hoạch."],
    )


def crop_price(rng, place, published):
    crop, _, _ = season_crop(published.month)
    low, high = CROP_PRICES[crop]
    price = rng.randrange(low, high + 1, 500)
    last_year = round(price * rng.uniform(0.75, 0.96) / 500) * 500
    return Story(
        "kinh-te",
        f"Giá {crop} tại {place} lên {_number(price)} đồng/kg",
        f"Giá {crop} cao hơn cùng kỳ năm trước {_number(price - last_year)} đồng/kg, người trồng {crop} phấn khởi.",
        [
            f"Tại các điểm thu mua ở {place}, giá {crop} hiện dao động từ {_number(price - 500)} đến "
            f"{_number(price + rng.randrange(1, 6) * 500)} đồng/kg, cao hơn cùng kỳ năm trước khoảng "
            f"{_decimal((price - last_year) / last_year * 100)}%.",
            f"Chị {rng.choice(VILLAGERS_WOMEN)}, thôn {rng.choice(VILLAGES)}, cho biết mỗi phiên chợ gia đình bán "
            f"được {rng.randint(40, 300)} kg, thu về {_number(rng.randint(8, 40) * 100_000)} đồng.",
            f"Phòng Nông nghiệp huyện khuyến cáo người dân không thu hái non, không ép giá; thông tin thị trường có "
            f"thể hỏi qua số điện thoại {_phone(rng)} trong giờ hành chính.",
        ],
        [],
        "market",
        [f"Người dân mang {crop} đi bán tại chợ {place}."],
    )


def cooperative(rng, place, published):
    crop = rng.choice(["chè shan tuyết", "quế", "thảo quả", "táo mèo", "dược liệu"])
    added = rng.randint(5, 60)
    members = rng.randint(9, 60)
    return Story(
        "kinh-te",
        f"HTX {crop} {place} mở rộng thêm {added} ha vùng nguyên liệu",
        f"Với {members} thành viên, HTX đã liên kết với hàng trăm hộ dân, bao tiêu sản phẩm ổn định.",
        [
            f"Năm {published.year}, HTX {crop} {place} trồng mới và liên kết thêm {added} ha, nâng tổng diện tích vùng "
            f"nguyên liệu lên {added + rng.randint(40, 300)} ha.",
            f"HTX hiện có {members} thành viên, tạo việc làm thường xuyên cho {rng.randint(12, 80)} lao động với thu "
            f"nhập {_decimal(rng.uniform(4.5, 8.5))} triệu đồng/người/tháng.",
            f"Theo giám đốc HTX, doanh thu năm {published.year - 1} đạt {_money(rng, 900, 6500)}; sản phẩm đã đạt "
            f"chứng nhận OCOP {rng.choice(['3', '4'])} sao.",
        ],
        [f"UBND huyện đã hỗ trợ HTX {_money(rng, 150, 600)} từ nguồn vốn chương trình mục tiêu quốc gia để mua "
         f"máy sơ chế và làm nhà xưởng."],
        "fields",
        [f"Vùng nguyên liệu {crop} của HTX tại {place}."],
    )


def investment(rng, place, published):
    month = (published.month - 2) % 12 + 1
    year = published.year if month < published.month else published.year - 1
    percent = rng.uniform(28, 92) * month / 12 + 8
    plan = rng.randint(180, 620)
    return Story(
        "kinh-te",
        f"Hết tháng {month}/{year}, huyện giải ngân {_decimal(percent)}% vốn đầu tư công",
        f"Tổng kế hoạch vốn năm {year} của huyện là {plan} tỷ đồng; nhiều công trình đang được đẩy nhanh tiến độ.",
        [
            f"Theo Phòng Tài chính - Kế hoạch, tính đến hết tháng {month}/{year}, huyện Đồng Lâm đã giải ngân "
            f"{_decimal(percent)}% kế hoạch vốn đầu tư công năm {year}, tương đương {_decimal(plan * percent / 100)} tỷ đồng.",
            f"Trong quý {_quarter(month)}, các chủ đầu tư hoàn thành {rng.randint(3, 14)} công trình, trong đó có "
            f"tuyến đường đến trung tâm {place} và {rng.randint(2, 6)} điểm trường.",
            f"UBND huyện yêu cầu các chủ đầu tư giải ngân hết kế hoạch vốn trước ngày 31/1/{year + 1}; đơn vị chậm "
            f"tiến độ sẽ bị điều chuyển vốn.",
        ],
        [],
        "road",
        [f"Thi công tuyến đường đến trung tâm {place}."],
    )


def road(rng, place, published):
    length = rng.uniform(0.8, 12.5)
    width = rng.choice(["3", "3,5", "5", "6,5"])
    village = rng.choice(VILLAGES)
    finished = rng.random() < 0.5
    done = _before(rng, published)
    action = "khánh thành" if finished else "khởi công"
    return Story(
        "nong-thon-moi",
        f"{capitalized(place)} {action} đường bê tông {_decimal(length)} km đến thôn {village}",
        (f"Tuyến đường mới giúp bà con thôn {village} đi lại, vận chuyển nông sản thuận lợi hơn." if finished else
         f"Công trình dự kiến hoàn thành trong {rng.randint(4, 10)} tháng, bà con mong chờ từ lâu."),
        [
            f"Ngày {date_text(done)}, UBND {place} tổ chức lễ {action} tuyến đường bê tông từ trung tâm xã đến thôn "
            f"{village}, dài {_decimal(length)} km, mặt đường rộng {width} m.",
            f"Tổng mức đầu tư {_money(rng, 1500, 14000)}, từ nguồn vốn chương trình mục tiêu quốc gia xây dựng nông "
            f"thôn mới và vốn đối ứng của địa phương.",
            f"Nhân dân trong thôn đã hiến {_number(rng.randint(300, 9000))} m² đất, đóng góp "
            f"{_number(rng.randint(400, 6000))} ngày công để mở rộng nền đường.",
        ],
        [
            f"Ông {rng.choice(VILLAGERS)}, trưởng thôn {village}, chia sẻ: trước đây mùa mưa đường trơn trượt, xe máy "
            f"không đi được, nông sản làm ra phải gùi bộ hàng chục cây số.",
        ],
        "road",
        [f"Tuyến đường đến thôn {village}, {place}.", f"Thi công mặt đường bê tông tại thôn {village}."],
    )


def new_countryside(rng, place, published):
    before = rng.uniform(12, 24)
    now = before - rng.uniform(2.5, 7.5)
    income = rng.uniform(32, 52)
    return Story(
        "nong-thon-moi",
        f"{capitalized(place)} đạt chuẩn nông thôn mới, tỷ lệ hộ nghèo còn {_decimal(now)}%",
        f"Sau nhiều năm nỗ lực, {place} hoàn thành 19/19 tiêu chí; thu nhập bình quân đạt {_decimal(income)} triệu đồng/người/năm.",
        [
            f"Theo Quyết định số {rng.randint(100, 2400)}/QĐ-UBND của UBND tỉnh, {place} được công nhận đạt chuẩn "
            f"nông thôn mới năm {published.year}.",
            f"Đến nay, tỷ lệ hộ nghèo của xã giảm từ {_decimal(before)}% đầu năm {published.year - 2} xuống còn "
            f"{_decimal(now)}%; thu nhập bình quân đầu người đạt {_decimal(income)} triệu đồng/năm.",
            f"Toàn xã đã cứng hóa {_decimal(rng.uniform(6, 28))} km đường giao thông, {rng.randint(92, 99)}% hộ dân "
            f"dùng nước sinh hoạt hợp vệ sinh, {rng.randint(3, 6)} trường học đạt chuẩn quốc gia.",
            f"MTTQ và các đoàn thể xã đã vận động nhân dân đóng góp {_money(rng, 300, 2500)} cùng hàng nghìn ngày "
            f"công xây dựng nông thôn mới.",
        ],
        [],
        "village",
        [f"Một góc {place} hôm nay.", f"Đường giao thông nông thôn ở {place}."],
    )


def solidarity_houses(rng, place, published):
    houses = rng.randint(3, 24)
    handed = _before(rng, published)
    return Story(
        "nong-thon-moi",
        f"MTTQ {place} bàn giao {houses} nhà đại đoàn kết cho hộ nghèo",
        f"Mỗi căn nhà được hỗ trợ {rng.choice(['40', '50', '60'])} triệu đồng từ Quỹ Vì người nghèo, cùng công sức của bà con.",
        [
            f"Ngày {date_text(handed)}, Ủy ban MTTQ {place} bàn giao {houses} nhà đại đoàn kết cho các hộ nghèo, hộ có "
            f"hoàn cảnh khó khăn về nhà ở.",
            f"Các căn nhà có diện tích từ {rng.randint(40, 50)} đến {rng.randint(60, 80)} m², tổng kinh phí "
            f"{_money(rng, houses * 60, houses * 90)}, trong đó Quỹ Vì người nghèo huyện hỗ trợ phần lớn.",
            f"Bà {rng.choice(VILLAGERS_WOMEN)}, thôn {rng.choice(VILLAGES)}, xúc động: gia đình đã có nhà vững chãi "
            f"trước mùa mưa bão.",
        ],
        [],
        "village",
        [f"Bàn giao nhà đại đoàn kết tại {place}."],
    )


def school(rng, place, published):
    month = published.month
    name = f"Trường PTDTBT THCS {place.replace('xã ', '').replace('thị trấn ', '')}"
    pupils = rng.randint(120, 640)
    if _winter(month):
        cold = rng.randint(2, 8)
        return Story(
            "van-hoa-xa-hoi",
            f"{name} giữ ấm cho {pupils} học sinh bán trú khi trời rét dưới {cold}°C",
            "Nhà trường bố trí chăn ấm, nước nóng và bữa ăn nóng; học sinh vẫn đến lớp đầy đủ trong những ngày rét đậm.",
            [
                f"Những ngày qua, nhiệt độ ban đêm ở {place} có lúc xuống dưới {cold}°C. {name} đã bố trí chăn ấm, "
                f"nước nóng cho {pupils} học sinh bán trú.",
                f"Mỗi bữa ăn của học sinh được bảo đảm mức {_number(rng.choice([15, 18, 20]) * 1000)} đồng, theo chế "
                f"độ hỗ trợ học sinh bán trú; tỷ lệ chuyên cần đạt {_decimal(rng.uniform(96, 99.8))}%.",
                f"Thầy {rng.choice(VILLAGERS)}, hiệu trưởng nhà trường, cho biết giáo viên thay nhau trực đêm, kiểm tra "
                f"phòng ở để học sinh không bị nhiễm lạnh.",
            ],
            [],
            "school",
            [f"Học sinh bán trú {name} trong giờ học."],
        )
    if month == 9 and published.day > 5:
        return Story(
            "van-hoa-xa-hoi",
            f"{name} khai giảng năm học {published.year}-{published.year + 1} với {pupils} học sinh",
            f"Năm học mới, nhà trường có thêm phòng học kiên cố và {rng.randint(2, 6)} giáo viên được tăng cường.",
            [
                f"Ngày 5/9/{published.year}, {name} long trọng tổ chức lễ khai giảng năm học "
                f"{published.year}-{published.year + 1}. Năm nay trường có {pupils} học sinh, trong đó "
                f"{round(pupils * rng.uniform(0.5, 0.8))} em ở bán trú.",
                f"Năm học trước, nhà trường có {rng.randint(3, 22)} học sinh đạt giải cấp huyện, tỷ lệ tốt nghiệp THCS "
                f"đạt {_decimal(rng.uniform(97, 100))}%.",
                f"Nhân dịp này, Hội Khuyến học huyện trao {rng.randint(10, 40)} suất học bổng, mỗi suất "
                f"{_number(rng.choice([500, 800, 1000]) * 1000)} đồng cho học sinh nghèo vượt khó.",
            ],
            [],
            "school",
            [f"Học sinh {name} dự lễ khai giảng."],
        )
    rooms = rng.randint(4, 12)
    return Story(
        "van-hoa-xa-hoi",
        f"{name} đưa vào sử dụng {rooms} phòng học mới",
        f"Công trình bảo đảm chỗ học, chỗ ở cho {pupils} học sinh, phần lớn là con em đồng bào Mông, Dao.",
        [
            f"Ngày {date_text(_before(rng, published))}, {name} tiếp nhận và đưa vào sử dụng dãy nhà {rooms} phòng học, "
            f"tổng kinh phí {_money(rng, 2500, 9000)}.",
            f"Trường hiện có {pupils} học sinh; sau khi có phòng học mới, tỷ lệ phòng học kiên cố của trường đạt 100%.",
            f"Ông {rng.choice(VILLAGERS)}, phụ huynh ở thôn {rng.choice(VILLAGES)}, phấn khởi vì con em được học trong "
            f"phòng học khang trang.",
        ],
        [],
        "school",
        [f"Dãy phòng học mới của {name}."],
    )


def health(rng, place, published):
    people = rng.randint(120, 900)
    checked = _before(rng, published)
    group = rng.choice(["người cao tuổi", "phụ nữ và trẻ em", "người có công với cách mạng"])
    cold = f" Trời rét, có lúc dưới {rng.randint(3, 9)}°C, nên đoàn bố trí khám trong hội trường có sưởi." if _winter(published.month) else ""
    return Story(
        "van-hoa-xa-hoi",
        f"Khám bệnh, cấp thuốc miễn phí cho {people} {group} {place}",
        f"Đoàn y, bác sĩ của Trung tâm Y tế huyện khám, tư vấn và cấp thuốc tại trạm y tế {place}.",
        [
            f"Ngày {date_text(checked)}, Trung tâm Y tế huyện phối hợp với Hội Chữ thập đỏ tổ chức khám bệnh, cấp thuốc "
            f"miễn phí cho {people} {group} tại trạm y tế {place}.{cold}",
            f"Các bác sĩ khám tổng quát, đo huyết áp, đường huyết; {rng.randint(12, 80)} trường hợp được tư vấn "
            f"chuyển tuyến. Tổng giá trị thuốc cấp phát khoảng {_money(rng, 40, 180)}.",
            f"Người dân cần tư vấn sức khỏe có thể gọi số {_phone(rng)} của Trung tâm Y tế huyện.",
        ],
        [],
        "clinic",
        [f"Bác sĩ khám bệnh cho {group} tại trạm y tế {place}."],
    )


def festival(rng, place, published):
    held = _before(rng, published)
    edition = rng.randint(2, 15)
    if held.month in (9, 10):
        name, scene = "Lễ hội mùa lúa chín", "festival"
    elif held.month in (1, 2):
        name, scene = "Ngày hội xuân các dân tộc", "festival"
    else:
        name, scene = "Ngày hội văn hóa, thể thao các dân tộc", "festival"
    visitors = rng.randint(1500, 12000)
    return Story(
        "van-hoa-xa-hoi",
        f"{capitalized(place)} tổ chức {name} lần thứ {_roman(edition)}, đón {_number(visitors)} lượt khách",
        "Ngày hội có thi đẩy gậy, kéo co, ném pao, trình diễn trang phục và chợ phiên nông sản.",
        [
            f"Từ ngày {date_text(held - dt.timedelta(days=1))} đến {date_text(held)}, {place} tổ chức {name} lần thứ "
            f"{_roman(edition)}, năm {held.year}, thu hút {_number(visitors)} lượt người dân và du khách.",
            f"Các đội đến từ {rng.randint(5, 14)} thôn, bản tham gia thi đẩy gậy, kéo co, ném pao, bắn nỏ và trình "
            f"diễn trang phục dân tộc Mông, Thái, Dao.",
            f"Du khách từ Hà Nội, TP. Hồ Chí Minh và nhiều tỉnh lân cận đã đến dự, mua sắm đặc sản tại gian hàng "
            f"của {rng.randint(6, 30)} hộ kinh doanh.",
        ],
        [
            "Theo Phòng Văn hóa và Thông tin huyện, ngày hội góp phần gìn giữ bản sắc văn hóa, quảng bá du lịch "
            "cộng đồng của địa phương.",
        ],
        scene,
        [f"Trình diễn trang phục dân tộc tại {name} {place}.", f"Thi kéo co tại {name}."],
    )


def defence_drill(rng, place, published):
    held = _before(rng, published, 4)
    people = rng.randint(90, 260)
    return Story(
        "quoc-phong-an-ninh",
        f"Diễn tập bảo đảm quốc phòng - an ninh năm {held.year} tại {place}, huy động {people} người",
        f"Cuộc diễn tập huy động {people} người, thực hiện đúng ý định, bảo đảm an toàn tuyệt đối.",
        [
            f"Ngày {date_text(held)}, {place} tổ chức diễn tập chiến đấu phòng thủ năm {held.year} theo Kế hoạch số "
            f"{rng.randint(12, 240)}/KH-UBND của UBND huyện.",
            f"Cuộc diễn tập huy động {people} người, gồm lực lượng dân quân, công an xã và các ban, ngành, do BCH "
            f"Quân sự huyện chỉ đạo.",
            f"Đồng chí {MILITARY_CHIEF}, Chỉ huy trưởng BCH Quân sự huyện, đánh giá cuộc diễn tập đạt loại "
            f"{rng.choice(['khá', 'giỏi'])}, góp phần củng cố nền quốc phòng toàn dân ở cơ sở.",
        ],
        [],
        "drill",
        [f"Lực lượng dân quân {place} tham gia diễn tập.", "Dân quân thực hành nội dung diễn tập."],
    )


def military_service(rng, place, published):
    year = published.year
    youths = rng.randint(95, 240)
    if published.month in (2, 3):
        sent = _before(rng, published)
        title = f"Huyện Đồng Lâm tiễn {youths} thanh niên lên đường thực hiện nghĩa vụ quân sự năm {year}"
        lead = f"Ngày {date_text(sent)}, huyện tổ chức lễ giao nhận quân, bảo đảm nhanh gọn, an toàn, đúng chỉ tiêu."
        first = (f"Ngày {date_text(sent)}, Hội đồng nghĩa vụ quân sự huyện tổ chức lễ giao nhận quân năm {year}; "
                 f"{youths} thanh niên lên đường nhập ngũ, đạt 100% chỉ tiêu.")
    else:
        starts = _after(rng, published, 5, 20)
        title = f"Huyện Đồng Lâm chuẩn bị khám tuyển nghĩa vụ quân sự năm {year + 1} cho {youths} thanh niên"
        lead = f"Việc khám sức khỏe bắt đầu từ ngày {date_text(starts)} tại Trung tâm Y tế huyện."
        first = (f"Theo kế hoạch của Hội đồng nghĩa vụ quân sự huyện, từ ngày {date_text(starts)}, {youths} thanh niên "
                 f"trong diện gọi nhập ngũ sẽ được khám sức khỏe.")
    return Story(
        "quoc-phong-an-ninh",
        title,
        lead,
        [
            first,
            f"Tại {place}, BCH Quân sự xã đã rà soát, tuyên truyền đến từng gia đình; {rng.randint(3, 18)} thanh niên "
            f"tự nguyện viết đơn xin nhập ngũ.",
            f"UBND huyện giao BCH Quân sự huyện phối hợp với công an và MTTQ các xã bảo đảm công khai, dân chủ, "
            f"đúng luật; mọi thắc mắc xin gọi số {_phone(rng)}.",
        ],
        [],
        "drill",
        [f"Thanh niên {place} chuẩn bị lên đường nhập ngũ."],
    )


def weather_event(rng, place, published):
    happened = _before(rng, published, 2)
    if _rainy(happened.month):
        rain = rng.randint(80, 260)
        homes = rng.randint(3, 40)
        return Story(
            "tin-tuc-su-kien",
            f"Mưa lớn gây sạt lở tại {place}, {homes} hộ phải di dời khẩn cấp",
            f"Lượng mưa trong đêm tới {rain} mm; chính quyền xã đã di dời người dân ra khỏi vùng nguy hiểm.",
            [
                f"Đêm {date_text(happened)}, mưa lớn kéo dài tại {place}, lượng mưa đo được tại trạm thủy văn Đồng Lâm "
                f"lên tới {rain} mm, gây sạt lở đất và ngập úng cục bộ.",
                f"Mưa lũ làm {homes} nhà bị ảnh hưởng, {_decimal(rng.uniform(1, 14))} ha lúa, ngô bị vùi lấp; tuyến "
                f"đường đến thôn {rng.choice(VILLAGES)} bị sạt khoảng {rng.randint(30, 400)} m³ đất đá.",
                f"Ngay trong đêm, BCH Quân sự xã cùng công an, dân quân đã giúp di dời {homes} hộ đến nơi an toàn. "
                f"Thiệt hại ước tính {_money(rng, 150, 3200)}.",
                f"Người dân cần hỗ trợ khẩn cấp gọi số {_phone(rng)} của Ban chỉ huy phòng chống thiên tai huyện.",
            ],
            [],
            "flood",
            [f"Nước lũ dâng cao tại {place}.", f"Lực lượng chức năng giúp người dân {place} di dời tài sản."],
        )
    hectares = _number(rng.randint(800, 9000))
    return Story(
        "tin-tuc-su-kien",
        f"{capitalized(place)} ra quân phòng cháy, chữa cháy {hectares} ha rừng mùa khô",
        f"Hanh khô kéo dài, nguy cơ cháy rừng ở cấp cao; xã lập {rng.randint(6, 20)} tổ xung kích trực 24/24 giờ.",
        [
            f"Ngày {date_text(happened)}, {place} ra quân phòng cháy, chữa cháy rừng mùa khô, bảo vệ {hectares} ha rừng.",
            f"Độ ẩm không khí có ngày chỉ còn {rng.randint(35, 55)}%, nguy cơ cháy rừng ở cấp IV. Xã đã phát "
            f"{_decimal(rng.uniform(3, 25))} km đường băng cản lửa.",
            f"Người dân phát hiện cháy rừng cần báo ngay cho UBND xã hoặc gọi số {_phone(rng)}.",
        ],
        [],
        "fields",
        [f"Lực lượng bảo vệ rừng {place} phát đường băng cản lửa."],
    )


def power_cut(rng, place, published):
    day = _after(rng, published, 2, 8)
    start, end = rng.choice([("7h00", "11h30"), ("7h30", "16h30"), ("8h00", "17h00"), ("13h30", "17h30")])
    villages = rng.sample(VILLAGES, 2)
    return Story(
        "thong-bao",
        f"Tạm ngừng cấp điện ngày {date_text(day)} tại {place}",
        f"Điện lực Đồng Lâm ngừng cấp điện từ {start} đến {end} để bảo dưỡng đường dây, mong khách hàng thông cảm.",
        [
            "Điện lực Đồng Lâm thông báo tạm ngừng cấp điện để bảo dưỡng, sửa chữa lưới điện như sau:",
            f"Thời gian: từ {start} đến {end} ngày {date_text(day)}. Khu vực: thôn {villages[0]} và thôn {villages[1]}, "
            f"{place}.",
            f"Trường hợp công việc xong sớm, điện sẽ được cấp trở lại mà không báo trước. Mọi thắc mắc xin liên hệ "
            f"số {_phone(rng)}.",
        ],
    )


def citizen_reception(rng, place, published):
    day = _after(rng, published, 3, 12)
    return Story(
        "thong-bao",
        f"Lịch tiếp công dân định kỳ của Chủ tịch UBND huyện ngày {date_text(day)}",
        f"Chủ tịch UBND huyện trực tiếp tiếp công dân tại Trụ sở tiếp công dân huyện, số {rng.randint(2, 80)} đường Hòa Bình.",
        [
            f"Thực hiện Luật Tiếp công dân, UBND huyện Đồng Lâm thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND "
            f"huyện vào ngày {date_text(day)}, từ 7h30 đến 11h30.",
            "Địa điểm: Trụ sở tiếp công dân huyện, thị trấn Đồng Lâm. Công dân đến cần mang theo giấy tờ tùy thân và "
            "tài liệu liên quan.",
            f"Công dân {place} và các xã lân cận có thể đăng ký trước qua số {_phone(rng)}.",
        ],
    )


def recruitment(rng, place, published):
    posts = rng.randint(8, 60)
    deadline = _after(rng, published, 20, 30)
    number = rng.randint(40, 900)
    field_ = rng.choice(["giáo dục", "y tế", "sự nghiệp khác"])
    return Story(
        "thong-bao",
        f"Thông báo số {number}/TB-UBND tuyển dụng {posts} viên chức {field_} năm {published.year}",
        f"Hồ sơ nhận đến hết ngày {date_text(deadline)} tại Phòng Nội vụ huyện.",
        [
            f"UBND huyện Đồng Lâm ban hành Thông báo số {number}/TB-UBND về tuyển dụng {posts} viên chức {field_} năm "
            f"{published.year}.",
            f"Người dự tuyển nộp phiếu đăng ký từ ngày {date_text(published.date() + dt.timedelta(days=1))} đến hết ngày "
            f"{date_text(deadline)}, trong giờ hành chính, tại Phòng Nội vụ huyện.",
            f"Lệ phí dự tuyển {_number(rng.choice([400, 500]) * 1000)} đồng/người. Thông tin chi tiết xin liên hệ số "
            f"{_phone(rng)}.",
        ],
    )


def livestock(rng, place, published):
    herd = rng.randint(400, 5200)
    if _winter(published.month):
        cold = rng.randint(1, 7)
        return Story(
            "kinh-te",
            f"{capitalized(place)} chống rét cho {_number(herd)} con trâu, bò khi nhiệt độ xuống {cold}°C",
            "Bà con che chắn chuồng trại, dự trữ rơm, cỏ khô; xã khuyến cáo không thả rông gia súc trong ngày rét đậm.",
            [
                f"Mấy ngày nay, nhiệt độ ở vùng cao {place} có lúc xuống {cold}°C, có nơi xuất hiện băng giá.",
                f"Toàn xã có {_number(herd)} con trâu, bò; cán bộ thú y đã hướng dẫn bà con che chắn chuồng, dự trữ "
                f"{_number(rng.randint(40, 400))} tấn rơm, cỏ khô.",
                f"Theo quy định, gia súc chết do rét được hỗ trợ {_number(rng.choice([1, 2]) * 1_000_000)} đồng/con; "
                f"người dân cần báo ngay cho UBND xã để được xác minh.",
            ],
            [],
            "livestock",
            [f"Người dân {place} che chắn chuồng trại cho trâu, bò."],
        )
    doses = herd + rng.randint(200, 2000)
    return Story(
        "kinh-te",
        f"{capitalized(place)} tiêm {_number(doses)} liều vắc-xin cho đàn gia súc",
        f"Đợt tiêm phòng đạt {_decimal(rng.uniform(85, 98))}% tổng đàn trong diện tiêm, phòng bệnh lở mồm long móng.",
        [
            f"Từ ngày {date_text(_before(rng, published, 10))}, Trạm Chăn nuôi và Thú y huyện phối hợp với {place} tiêm "
            f"{_number(doses)} liều vắc-xin lở mồm long móng, tụ huyết trùng cho đàn trâu, bò, lợn.",
            f"Toàn xã hiện có {_number(herd)} con trâu, bò; {rng.randint(2, 8)} thôn đã hoàn thành tiêm phòng.",
            "Người chăn nuôi phát hiện gia súc ốm cần báo ngay cho thú y xã, không bán chạy, không vứt xác ra suối.",
        ],
        [],
        "livestock",
        [f"Cán bộ thú y tiêm vắc-xin cho đàn trâu tại {place}."],
    )


def tourism(rng, place, published):
    visitors = rng.randint(800, 9000)
    months = published.month
    season = ("mùa lúa chín" if months in (9, 10) else "mùa nước đổ" if months in (5, 6) else
              "mùa hoa đào" if months in (1, 2, 3) else f"từ đầu tháng {months}")
    homestays = rng.randint(5, 40)
    return Story(
        "kinh-te",
        f"{capitalized(place)} đón {_number(visitors)} lượt khách du lịch {season}",
        f"{homestays} homestay ở {place} kín phòng; du lịch cộng đồng mang lại thu nhập cho nhiều hộ đồng bào.",
        [
            f"Từ đầu tháng {months} đến nay, {place} đón khoảng {_number(visitors)} lượt khách, tăng "
            f"{_decimal(rng.uniform(5, 40))}% so với cùng kỳ, phần lớn đến từ Hà Nội và TP. Hồ Chí Minh.",
            f"Toàn xã có {homestays} cơ sở lưu trú cộng đồng; giá phòng từ {_number(rng.choice([150, 200, 250]) * 1000)} "
            f"đến {_number(rng.choice([400, 500, 600]) * 1000)} đồng/người/đêm.",
            f"Doanh thu từ du lịch ước đạt {_money(rng, 600, 9000)}. Đường dây nóng hỗ trợ du khách: {_phone(rng)}.",
        ],
        [],
        "fields",
        [f"Du khách ngắm cảnh ruộng bậc thang ở {place}."],
    )


KINDS = [ubnd_meeting, council_session, voters_meeting, harvest, crop_price, cooperative, investment, road,
         new_countryside, solidarity_houses, school, health, festival, defence_drill, military_service, weather_event,
         power_cut, citizen_reception, recruitment, livestock, tourism]
