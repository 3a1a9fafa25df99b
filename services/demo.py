"""Deterministic demo content: original Vietnamese text written for this project, images drawn locally.

The sentences below were written for docbai; none is copied from any website. They are built to
exercise what the reading, listening and printing areas must handle: dates, times, numbers with
thousands dots and decimal commas, percentages, money, units, ranges, Roman numerals, phone numbers
and the abbreviations of local-government news.
"""
from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from extensions import db
from models import Article, Category, Figure, Link, PhotoItem, Video
from services.media.store import StoredImage, store_image
from services.slugs import unique_slug, vietnamese_slug

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
    "xã Chế Tạo", "xã Púng Luông", "xã Cao Phạ", "xã Mồ Dề", "xã Kim Nọi", "xã Hồ Bốn",
]
PEOPLE = ["Lò Văn Thắng", "Giàng A Tủa", "Nguyễn Thị Hạnh", "Hoàng Minh Đức", "Vàng Thị Mỷ", "Trần Quốc Bảo",
          "Sùng A Lử", "Lê Thu Trang", "Mùa A Sênh", "Phạm Văn Hùng"]
AUTHORS = ["Minh Anh", "Thu Hà", "Quang Huy", "Lò Thị Xuân", "Giàng A Chư", "Ngọc Lan", "Đức Thịnh"]
CROPS = ["lúa nước", "ngô", "chè shan tuyết", "quế", "thảo quả", "táo mèo", "đậu tương"]

TITLES = {
    "tin-tuc-su-kien": [
        "UBND huyện họp phiên thường kỳ tháng {month} năm {year}",
        "HĐND {place} tổ chức kỳ họp thứ {ordinal}, khóa {roman}",
        "Mù Cang Chải và {place} trao đổi kinh nghiệm phát triển du lịch cộng đồng",
        "Lãnh đạo huyện tiếp xúc cử tri {place} trước kỳ họp",
        "{place} đón nhận danh hiệu đơn vị văn hóa tiêu biểu",
    ],
    "kinh-te": [
        "{place} thu hoạch {crop} đạt {percent}% kế hoạch",
        "Giá {crop} tăng lên {price} đồng/kg, nông dân {place} phấn khởi",
        "Huyện giải ngân {money} đồng vốn đầu tư công trong quý {quarter}",
        "Hợp tác xã {crop} {place} mở rộng thêm {area} ha",
    ],
    "van-hoa-xa-hoi": [
        "Trường THCS {place} khai giảng năm học {year}-{next_year}",
        "{place} tổ chức ngày hội văn hóa các dân tộc lần thứ {roman}",
        "Khám sức khỏe miễn phí cho {count} người cao tuổi tại {place}",
        "Trường THPT Đồng Lâm có {count} học sinh đạt giải cấp tỉnh",
    ],
    "quoc-phong-an-ninh": [
        "Ban CHQS huyện tổng kết công tác quốc phòng năm {year}",
        "{place} diễn tập KVPT, bảo đảm QP-AN năm {year}",
        "Giao quân năm {year}: {count} thanh niên lên đường nhập ngũ",
        "LLVT huyện ra quân huấn luyện, nâng cao chất lượng QS-QP",
    ],
    "nong-thon-moi": [
        "{place} về đích nông thôn mới năm {year}",
        "Bê tông hóa {length} km đường liên thôn tại {place}",
        "MTTQ {place} vận động xây {count} nhà đại đoàn kết",
    ],
    "thong-bao": [
        "Thông báo lịch tiếp công dân tháng {month}/{year}",
        "Thông báo tuyển dụng viên chức năm {year}",
        "Thông báo tạm ngừng cấp điện ngày {day}/{month}/{year} tại {place}",
    ],
}

PARAGRAPHS = [
    "Ngày {day}/{month}/{year}, UBND huyện tổ chức hội nghị đánh giá kết quả thực hiện nhiệm vụ phát triển "
    "KT-XH {period} và triển khai kế hoạch giai đoạn {year}-{next_year}.",
    "Theo báo cáo, tổng thu ngân sách trên địa bàn đạt {money} đồng, bằng {percent}% dự toán tỉnh giao, "
    "tăng {small_percent}% so với cùng kỳ.",
    "Toàn huyện gieo cấy {area} ha {crop}, năng suất bình quân ước đạt {yield_} tạ/ha; sản lượng lương thực "
    "cả năm ước đạt {tonnes} tấn.",
    "Đồng chí {person}, Phó Chủ tịch UBND huyện, đề nghị các xã, thị trấn tập trung chỉ đạo, phấn đấu hoàn "
    "thành các chỉ tiêu trước ngày {day}/{month}.",
    "Lúc {hour}h{minute}, đoàn công tác của HĐND huyện đã có mặt tại {place} để kiểm tra tiến độ xây dựng "
    "trường học và trạm y tế.",
    "Hội nghị diễn ra từ {hour}:{minute} đến {end_hour}:{minute}, với sự tham gia của {count} đại biểu là "
    "thành viên BCH Đảng bộ huyện, lãnh đạo MTTQ và các đoàn thể.",
    "Giá {crop} tại {place} hiện dao động từ {price} đến {price_high} đồng/kg, cao hơn năm trước khoảng "
    "{small_percent}%.",
    "Nhân dân có thể liên hệ đường dây nóng số {phone} hoặc bộ phận một cửa của UBND {place} trong giờ hành chính.",
    "Trong quý {quarter}, lực lượng CHQS các xã phối hợp với công an tổ chức {count} đợt tuần tra, bảo đảm "
    "an ninh trật tự tại các KVPT trọng điểm.",
    "Nhiệt độ ban đêm ở vùng cao có nơi xuống dưới {temperature}°C; nhà trường đã bố trí chăn ấm và bữa ăn "
    "nóng cho {count} học sinh bán trú.",
    "Đến nay, {place} có {count} hộ tham gia mô hình trồng {crop}, thu nhập bình quân đạt {income} triệu "
    "đồng/người/năm.",
    "Tuyến đường dài {length} km, rộng {width} m, với tổng mức đầu tư {money} đồng từ nguồn vốn chương trình "
    "mục tiêu quốc gia xây dựng nông thôn mới.",
    "Kỳ họp thứ {ordinal} HĐND huyện khóa {roman}, nhiệm kỳ 2021-2026, đã thông qua {small_count} nghị quyết "
    "quan trọng về KT-XH và QP-AN.",
    "Đến ngày {day}/{month}/{year}, tỷ lệ hộ nghèo toàn huyện giảm còn {rate}%, vượt chỉ tiêu Nghị quyết "
    "Đại hội Đảng bộ huyện lần thứ XXI đề ra.",
    "Trường THCS và THPT trên địa bàn đã huy động {rate}% trẻ trong độ tuổi ra lớp; {count} học sinh được "
    "hỗ trợ {allowance}đ mỗi tháng theo chính sách.",
    "Ban CHQS huyện giao chỉ tiêu cho {small_count} xã, thị trấn; công tác QS-QP địa phương được triển khai "
    "đồng bộ, đúng kế hoạch.",
    "Ông {person}, thôn {village}, chia sẻ: năm nay gia đình trồng thêm {small_count} sào {crop}, dự kiến "
    "thu về khoảng {income} triệu đồng.",
    "Tính đến hết tháng {month}, {place} đã giải ngân được {percent}% kế hoạch vốn; {small_count} công trình "
    "đã hoàn thành, đưa vào sử dụng.",
    "Năm {year}, LLVT huyện tổ chức huấn luyện cho {count} lượt cán bộ, chiến sĩ; {rate}% nội dung đạt khá, giỏi.",
    "Hội Nông dân và MTTQ các xã đã vận động nhân dân hiến {area_small} m² đất, đóng góp {days} ngày công "
    "làm đường giao thông nông thôn.",
]
LONG_EXTRA = [
    "Phát biểu kết luận, đồng chí {person} ghi nhận những kết quả đạt được, đồng thời chỉ rõ một số hạn chế "
    "cần khắc phục trong thời gian tới.",
    "Các đại biểu tập trung thảo luận về giải pháp thu hút đầu tư, phát triển du lịch và chuyển đổi số trong "
    "cải cách hành chính.",
]
LEADS = [
    "Kết quả nổi bật {period} và những nhiệm vụ trọng tâm mà {place} đặt ra cho thời gian tới.",
    "Nhiều chỉ tiêu KT-XH đạt và vượt kế hoạch; đời sống người dân {place} từng bước được nâng lên.",
    "Sự vào cuộc của cả hệ thống chính trị giúp {place} hoàn thành sớm các mục tiêu năm {year}.",
    "Người dân {place} đồng tình, hưởng ứng; nhiều cách làm hay được nhân rộng trên địa bàn huyện.",
    "Thông tin chi tiết về thời gian, địa điểm và những việc người dân cần biết.",
]
FIGURE_CAPTIONS = [
    "Quang cảnh hội nghị.", "Ruộng bậc thang mùa lúa chín.", "Cán bộ xã hướng dẫn người dân làm thủ tục.",
    "Lực lượng dân quân tham gia diễn tập.", "Học sinh trong giờ học.", "Tuyến đường liên thôn mới hoàn thành.",
    "Người dân thu hoạch chè.", "Đại biểu biểu quyết thông qua nghị quyết.",
]
LINKS = [
    ("Cổng thông tin điện tử Chính phủ", "https://chinhphu.vn"),
    ("Dịch vụ công quốc gia", "https://dichvucong.gov.vn"),
    ("Báo Nhân Dân", "https://nhandan.vn"),
    ("Thư viện pháp luật", "https://thuvienphapluat.vn"),
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XX", "XXI"]


@dataclass
class DemoReport:
    articles: int
    categories: int
    photos: int
    videos: int
    links: int


def _slots(rng: random.Random, published: dt.datetime) -> dict:
    local = published.astimezone(ANCHOR.tzinfo)
    price = rng.randrange(5, 80) * 500
    return {
        "day": rng.randint(1, 28), "month": rng.randint(1, 12), "year": local.year, "next_year": local.year + 1,
        "period": rng.choice(["6 tháng đầu năm", "9 tháng", "năm " + str(local.year), "quý " + rng.choice(ROMAN[:4])]),
        "money": f"{rng.randrange(12, 980) * 1_000_000:,}".replace(",", "."),
        "percent": f"{rng.randint(60, 130)},{rng.randint(1, 9)}", "small_percent": rng.randint(2, 25),
        "area": f"{rng.randint(120, 4800):,}".replace(",", "."), "area_small": f"{rng.randint(300, 9000):,}".replace(",", "."),
        "crop": rng.choice(CROPS), "yield_": f"{rng.randint(40, 62)},{rng.randint(1, 9)}",
        "tonnes": f"{rng.randint(9000, 26000):,}".replace(",", "."), "person": rng.choice(PEOPLE),
        "place": rng.choice(PLACES), "hour": rng.randint(7, 10), "end_hour": rng.randint(14, 17),
        "minute": rng.choice(["00", "15", "30", "45"]), "count": rng.randint(25, 1500),
        "small_count": rng.randint(2, 19), "price": f"{price:,}".replace(",", "."),
        "price_high": f"{price + rng.randrange(1, 20) * 500:,}".replace(",", "."),
        "phone": f"0216 {rng.randint(3800, 3899)} {rng.randint(100, 999)}", "quarter": rng.choice(ROMAN[:4]),
        "temperature": rng.randint(2, 8), "income": rng.randint(18, 65), "length": f"{rng.randint(1, 24)},{rng.randint(1, 9)}",
        "width": rng.choice(["3", "3,5", "5", "6,5"]), "ordinal": rng.randint(2, 19), "roman": rng.choice(ROMAN[10:]),
        "rate": f"{rng.randint(5, 99)},{rng.randint(1, 9)}", "allowance": f"{rng.choice([150, 360, 500, 745]) * 1000:,}".replace(",", "."),
        "village": rng.choice(["Háng Đề Dê", "Làng Mới", "Bản Phạ", "Dề Thàng", "Tà Ghênh"]),
        "days": f"{rng.randint(800, 12000):,}".replace(",", "."),
    }


def draw_demo_image(rng: random.Random, width: int = 800, height: int = 533) -> bytes:
    """A small landscape picture drawn with Pillow: sky, terraced hills and a sun."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top, bottom = (rng.randint(90, 160), rng.randint(150, 200), 235), (250, rng.randint(200, 235), 190)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    sun_x, sun_y = rng.randint(80, width - 80), rng.randint(40, height // 3)
    draw.ellipse([sun_x - 35, sun_y - 35, sun_x + 35, sun_y + 35], fill=(255, 230, 150))
    for layer in range(5):
        base = int(height * (0.45 + layer * 0.12))
        green = (40 + layer * 25 + rng.randint(0, 30), 110 + layer * 20, 40 + layer * 10)
        points = [(0, height)] + [(x, base - rng.randint(0, 60)) for x in range(0, width + 100, 100)] + [(width, height)]
        draw.polygon(points, fill=green)
        for step in range(0, height - base, 14):
            draw.line([(0, base + step), (width, base + step - 20)], fill=tuple(max(0, c - 25) for c in green), width=2)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=72, optimize=True, progressive=True)
    return output.getvalue()


def _figure_html(stored: StoredImage, caption: str) -> str:
    return (
        f'<figure><img src="/media/{stored.path}" alt="{caption.rstrip(".")}" width="{stored.width}" '
        f'height="{stored.height}"><figcaption>{caption}</figcaption></figure>'
    )


def seed_demo(media_root: str, article_count: int = 3500, progress=None) -> DemoReport:
    """Create the demo portal: categories, N articles, the photo and video libraries and links."""
    rng = random.Random(DEMO_SEED)
    image_rng = random.Random(DEMO_SEED + 1)
    figure_images = [store_image(media_root, draw_demo_image(image_rng), "demo") for _ in range(8)]
    categories = {}
    for position, (name, slug) in enumerate(CATEGORIES):
        category = db.session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
        if category is None:
            category = Category(name=name, slug=slug, position=position)
            db.session.add(category)
        categories[slug] = category
    db.session.flush()

    used_slugs = set(db.session.execute(select(Article.slug)).scalars())
    start = db.session.execute(select(func.count(Article.id))).scalar_one()
    for number in range(start, start + article_count):
        published = ANCHOR - dt.timedelta(hours=9 * number + rng.randint(0, 5), minutes=rng.randint(0, 59),
                                          seconds=rng.randint(0, 59))
        category_slug = rng.choice(list(TITLES))
        slots = _slots(rng, published)
        title = rng.choice(TITLES[category_slug]).format(**slots)
        title = title[0].upper() + title[1:]
        slug = unique_slug(vietnamese_slug(title), used_slugs.__contains__)
        used_slugs.add(slug)
        long_article = number % 10 == 3
        paragraph_count = rng.randint(14, 22) if long_article else rng.randint(3, 6)
        templates = rng.sample(PARAGRAPHS, k=min(paragraph_count, len(PARAGRAPHS)))
        if long_article:
            templates += [rng.choice(LONG_EXTRA) for _ in range(paragraph_count - len(templates))]
        paragraphs = [f"<p>{template.format(**_slots(rng, published))}</p>" for template in templates]
        figures = []
        if number % 3 != 1:
            stored = rng.choice(figure_images)
            caption = rng.choice(FIGURE_CAPTIONS)
            paragraphs.insert(1, _figure_html(stored, caption))
            if number % 7 == 0:
                paragraphs.insert(2, "<p><em>(Ảnh trên)</em></p>")
            figures.append(Figure(position=0, image_path=stored.path, alt=caption.rstrip("."), caption=caption,
                                  width=stored.width, height=stored.height))
        article = Article(
            title=title, slug=slug, summary=rng.choice(LEADS).format(**slots), body_html="\n".join(paragraphs),
            author=rng.choice(AUTHORS), published_at=published, updated_at=published,
            views=rng.randint(40, 4000), status="published", category=categories[category_slug],
            figures=figures,
        )
        db.session.add(article)
        if progress is not None:
            progress(1)

    photos = videos = links = 0
    if db.session.execute(select(func.count(PhotoItem.id))).scalar_one() == 0:
        for index in range(24):
            stored = store_image(media_root, draw_demo_image(image_rng, 960, 640), "photos")
            place = PLACES[index % len(PLACES)]
            db.session.add(PhotoItem(title=f"Phong cảnh {place}", image_path=stored.path,
                                     caption=f"Một góc {place} nhìn từ trên cao.", width=stored.width,
                                     height=stored.height, taken_at=ANCHOR - dt.timedelta(days=5 * index)))
            photos += 1
    if db.session.execute(select(func.count(Video.id))).scalar_one() == 0:
        for index, title in enumerate(["Ruộng bậc thang mùa nước đổ", "Lễ hội văn hóa các dân tộc",
                                       "Diễn tập khu vực phòng thủ huyện", "Phiên chợ vùng cao"]):
            poster = store_image(media_root, draw_demo_image(image_rng, 640, 360), "videos")
            db.session.add(Video(title=title, poster_path=poster.path, duration_seconds=90 + 37 * index,
                                 external_url=f"https://video.example.org/dong-lam/{index + 1}",
                                 published_at=ANCHOR - dt.timedelta(days=11 * index)))
            videos += 1
    if db.session.execute(select(func.count(Link.id))).scalar_one() == 0:
        for position, (title, url) in enumerate(LINKS):
            db.session.add(Link(title=title, url=url, position=position))
            links += 1
    db.session.commit()
    return DemoReport(article_count, len(categories), photos, videos, links)
