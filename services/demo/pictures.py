"""The demo's pictures: scenes (a meeting hall, fields, road works, a school, …) drawn with Pillow, so the demo
needs no downloaded or copied photograph."""
from __future__ import annotations

import io
import math
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw

# Pillow is imported by the functions that draw or read images, not with this module: a page needs none of it.



def _sky(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, grey: bool = False) -> None:
    if grey:
        top, bottom = (110, 118, 128), (170, 175, 180)
    else:
        top, bottom = (rng.randint(90, 140), rng.randint(150, 190), 235), (235, rng.randint(225, 240), 215)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))


def _hills(draw, rng, width, height, top: float, colours, step: int = 100) -> None:
    """Layers of hills from `top` (a fraction of the height) down, each a little nearer and darker."""
    for layer, colour in enumerate(colours):
        base = int(height * (top + layer * (1 - top) / (len(colours) + 1)))
        points = [(0, height)] + [(x, base - rng.randint(0, 50)) for x in range(0, width + step, step)] + [(width, height)]
        draw.polygon(points, fill=colour)


def _person(draw, x: int, y: int, size: int, shirt, skin=(205, 160, 120)) -> None:
    """A standing figure seen from afar: a head and a body, its feet at (x, y)."""
    draw.rectangle([x - size // 3, y - size, x + size // 3, y - size // 3], fill=shirt)
    draw.rectangle([x - size // 4, y - size // 3, x + size // 4, y], fill=(50, 50, 60))
    draw.ellipse([x - size // 4, y - size - size // 2, x + size // 4, y - size], fill=skin)


def _scene_meeting(draw, rng, width, height):
    draw.rectangle([0, 0, width, height], fill=(226, 214, 190))
    draw.rectangle([0, int(height * 0.62), width, height], fill=(150, 92, 60))
    banner = (int(width * 0.12), int(height * 0.06), int(width * 0.88), int(height * 0.2))
    draw.rectangle(banner, fill=(178, 24, 30))
    for row in range(2):
        y = banner[1] + 14 + row * 22
        draw.line([(banner[0] + 40, y), (banner[2] - 40 - row * 90, y)], fill=(250, 215, 90), width=6)
    cx, cy = width // 2, int(height * 0.32)
    draw.rectangle([cx - 60, cy - 40, cx + 60, cy + 40], fill=(200, 20, 30))
    star = [(cx + 30 * math.cos(math.radians(-90 + 144 * i)), cy + 30 * math.sin(math.radians(-90 + 144 * i)))
            for i in range(5)]
    draw.polygon(star, fill=(250, 215, 60))
    table_top = int(height * 0.45)
    draw.rectangle([int(width * 0.15), table_top, int(width * 0.85), table_top + 40], fill=(40, 70, 150))
    for index in range(7):
        _person(draw, int(width * 0.2) + index * int(width * 0.1), table_top + 2, 34, (245, 245, 245))
    for row in range(3):
        y = int(height * 0.7) + row * 55
        for column in range(10):
            x = 40 + column * (width - 80) // 9 + (row % 2) * 20
            draw.ellipse([x - 14, y - 14, x + 14, y + 14], fill=rng.choice([(30, 30, 35), (60, 45, 35), (45, 40, 40)]))
            draw.rectangle([x - 20, y + 12, x + 20, y + 50], fill=rng.choice([(240, 240, 240), (70, 90, 140), (230, 230, 220)]))


def _scene_fields(draw, rng, width, height):
    _sky(draw, rng, width, height)
    ripe = rng.random() < 0.5
    _hills(draw, rng, width, height, 0.3, [(95, 120, 95), (80, 110, 70)])
    palette = [(215, 180, 60), (200, 165, 50), (225, 195, 80)] if ripe else [(90, 160, 60), (70, 145, 55), (110, 175, 70)]
    top = int(height * 0.45)
    for index, y in enumerate(range(top, height, 26)):
        wave = rng.randint(-20, 20)
        points = [(0, height), (0, y + wave)]
        points += [(x, y + wave + int(14 * math.sin(x / 90 + index))) for x in range(0, width + 40, 40)]
        points += [(width, height)]
        draw.polygon(points, fill=palette[index % len(palette)])
        draw.line(points[1:-1], fill=(120, 95, 40) if ripe else (50, 100, 40), width=2)
    for _ in range(rng.randint(1, 3)):
        x, y = rng.randint(60, width - 60), rng.randint(top + 60, height - 20)
        _person(draw, x, y, 30, rng.choice([(40, 40, 90), (160, 30, 60), (30, 90, 130)]))
        draw.polygon([(x - 22, y - 46), (x + 22, y - 46), (x, y - 64)], fill=(220, 200, 150))  # a conical hat


def _scene_road(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.35, [(100, 130, 90), (85, 120, 70), (120, 100, 70)])
    horizon = int(height * 0.5)
    draw.polygon([(width // 2 - 20, horizon), (width // 2 + 20, horizon), (width * 0.85, height), (width * 0.15, height)],
                 fill=(150, 150, 150))
    for y in range(horizon + 10, height, 40):
        half = 2 + (y - horizon) // 30
        draw.rectangle([width // 2 - half, y, width // 2 + half, y + 18], fill=(245, 245, 245))
    x, y = int(width * rng.uniform(0.62, 0.75)), int(height * 0.78)
    draw.rectangle([x, y - 60, x + 110, y], fill=(240, 180, 20))
    draw.rectangle([x + 60, y - 100, x + 105, y - 60], fill=(240, 180, 20))
    draw.line([(x + 10, y - 50), (x - 60, y - 120), (x - 90, y - 40)], fill=(200, 140, 10), width=12)
    draw.ellipse([x, y - 14, x + 34, y + 20], fill=(40, 40, 40))
    draw.ellipse([x + 74, y - 14, x + 108, y + 20], fill=(40, 40, 40))
    for cone in range(4):
        cx = int(width * 0.22) + cone * 45
        cy = int(height * 0.9) - cone * 28
        draw.polygon([(cx - 10, cy), (cx + 10, cy), (cx, cy - 30)], fill=(240, 90, 20))
    for worker in range(rng.randint(2, 4)):
        _person(draw, int(width * 0.4) + worker * 40, int(height * 0.72) + worker * 15, 34, (240, 120, 30))


def _scene_school(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.25, [(90, 125, 85)])
    draw.rectangle([0, int(height * 0.7), width, height], fill=(200, 190, 170))
    left, top, right, bottom = int(width * 0.1), int(height * 0.3), int(width * 0.78), int(height * 0.7)
    draw.rectangle([left, top, right, bottom], fill=(245, 215, 110))
    draw.polygon([(left - 20, top), (right + 20, top), (right - 10, top - 50), (left + 10, top - 50)], fill=(170, 50, 40))
    for floor in range(2):
        for column in range(8):
            x = left + 20 + column * (right - left - 30) // 8
            y = top + 20 + floor * (bottom - top) // 2
            draw.rectangle([x, y, x + 34, y + 40], fill=(90, 120, 160))
    pole = int(width * 0.88)
    draw.line([(pole, int(height * 0.2)), (pole, int(height * 0.72))], fill=(200, 200, 200), width=5)
    draw.rectangle([pole, int(height * 0.2), pole + 60, int(height * 0.2) + 40], fill=(210, 20, 30))
    for pupil in range(rng.randint(8, 16)):
        _person(draw, rng.randint(30, width - 30), rng.randint(int(height * 0.8), height - 10), 26, (250, 250, 250))


def _scene_clinic(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.3, [(100, 135, 95)])
    draw.rectangle([0, int(height * 0.72), width, height], fill=(190, 190, 180))
    left, top, right, bottom = int(width * 0.2), int(height * 0.32), int(width * 0.85), int(height * 0.72)
    draw.rectangle([left, top, right, bottom], fill=(245, 245, 240))
    draw.rectangle([left, top + 40, right, top + 58], fill=(40, 110, 180))
    draw.polygon([(left - 15, top), (right + 15, top), ((left + right) // 2, top - 70)], fill=(40, 110, 180))
    cx, cy = int(width * 0.3), top + 100
    draw.rectangle([cx - 40, cy - 40, cx + 40, cy + 40], fill=(255, 255, 255), outline=(200, 200, 200))
    draw.rectangle([cx - 10, cy - 30, cx + 10, cy + 30], fill=(220, 30, 40))
    draw.rectangle([cx - 30, cy - 10, cx + 30, cy + 10], fill=(220, 30, 40))
    draw.rectangle([int(width * 0.62), top + 90, int(width * 0.72), bottom], fill=(120, 90, 70))
    for index in range(rng.randint(5, 9)):
        _person(draw, int(width * 0.1) + index * 55, int(height * 0.9), 34,
                rng.choice([(70, 60, 120), (150, 40, 70), (40, 40, 40), (60, 110, 80)]))
    _person(draw, int(width * 0.78), int(height * 0.86), 40, (255, 255, 255))


def _scene_flood(draw, rng, width, height):
    _sky(draw, rng, width, height, grey=True)
    _hills(draw, rng, width, height, 0.28, [(85, 105, 90), (70, 95, 75)])
    water = int(height * 0.58)
    draw.rectangle([0, water, width, height], fill=(150, 110, 70))
    for y in range(water + 12, height, 22):
        for x in range(rng.randint(-40, 0), width, 80):
            draw.arc([x, y - 8, x + 60, y + 8], 200, 340, fill=(185, 150, 110), width=3)
    for house in range(rng.randint(2, 4)):
        x = int(width * 0.15) + house * int(width * 0.22) + rng.randint(-20, 20)
        draw.rectangle([x, water - 50, x + 110, water + 10], fill=(200, 180, 150))
        draw.polygon([(x - 15, water - 50), (x + 125, water - 50), (x + 55, water - 100)], fill=(110, 70, 50))
    for _ in range(140):
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.line([(x, y), (x - 6, y + 18)], fill=(210, 215, 225), width=1)


def _scene_market(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.22, [(95, 125, 90)])
    draw.rectangle([0, int(height * 0.5), width, height], fill=(170, 150, 120))
    for stall in range(5):
        left = 20 + stall * (width - 40) // 5
        right = left + (width - 40) // 5 - 14
        top = int(height * 0.38) + (stall % 2) * 20
        colour = [(200, 40, 50), (40, 90, 170), (240, 170, 30), (40, 140, 90), (150, 60, 150)][stall]
        draw.polygon([(left - 8, top + 30), (right + 8, top + 30), (right - 10, top), (left + 10, top)], fill=colour)
        draw.rectangle([left, top + 30, right, top + 90], fill=(120, 85, 55))
        for item in range(6):
            x = left + 10 + item * (right - left - 20) // 6
            draw.ellipse([x, top + 55, x + 18, top + 73], fill=rng.choice([(230, 120, 40), (90, 160, 60), (200, 50, 50), (240, 210, 90)]))
    for shopper in range(rng.randint(10, 18)):
        _person(draw, rng.randint(20, width - 20), rng.randint(int(height * 0.68), height - 8), 34,
                rng.choice([(30, 30, 60), (190, 30, 80), (20, 110, 140), (230, 200, 40), (90, 40, 120)]))


def _scene_festival(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.25, [(90, 130, 85), (75, 115, 70)])
    draw.rectangle([0, int(height * 0.6), width, height], fill=(120, 160, 80))
    for line in range(2):
        y0 = int(height * (0.12 + line * 0.1))
        points = [(x, y0 + int(25 * math.sin(x / width * math.pi))) for x in range(0, width + 1, 40)]
        draw.line(points, fill=(90, 90, 90), width=2)
        for index, (x, y) in enumerate(points[:-1]):
            colour = [(220, 30, 40), (250, 200, 30), (30, 120, 200), (40, 160, 80)][(index + line) % 4]
            draw.polygon([(x, y), (x + 40, y), (x + 20, y + 30)], fill=colour)
    for dancer in range(rng.randint(6, 11)):
        x = 50 + dancer * (width - 100) // 10
        y = int(height * 0.82) + rng.randint(-20, 30)
        skirt = rng.choice([(30, 40, 120), (180, 30, 90), (20, 20, 20)])
        draw.polygon([(x - 24, y), (x + 24, y), (x, y - 50)], fill=skirt)
        for stripe in range(3):
            draw.line([(x - 18 + stripe * 6, y - 8 - stripe * 10), (x + 18 - stripe * 6, y - 8 - stripe * 10)],
                      fill=rng.choice([(250, 200, 40), (230, 60, 60), (250, 250, 250)]), width=3)
        draw.rectangle([x - 9, y - 75, x + 9, y - 45], fill=(30, 30, 40))
        draw.ellipse([x - 9, y - 95, x + 9, y - 75], fill=(205, 160, 120))


def _scene_drill(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.3, [(95, 120, 85), (80, 105, 70)])
    draw.rectangle([0, int(height * 0.6), width, height], fill=(150, 140, 100))
    for row in range(3):
        for column in range(9):
            x = 60 + column * (width - 120) // 8 + row * 14
            y = int(height * 0.68) + row * 55
            _person(draw, x, y, 44, (85, 105, 55), skin=(190, 150, 110))
            draw.ellipse([x - 14, y - 74, x + 14, y - 60], fill=(70, 90, 45))  # helmets
    draw.rectangle([width - 130, int(height * 0.2), width - 40, int(height * 0.2) + 55], fill=(210, 20, 30))


def _scene_village(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.3, [(95, 130, 90), (80, 120, 75), (70, 110, 65)])
    for house in range(rng.randint(4, 7)):
        x = rng.randint(20, width - 140)
        y = rng.randint(int(height * 0.5), int(height * 0.85))
        draw.rectangle([x, y - 45, x + 100, y], fill=rng.choice([(190, 160, 120), (230, 225, 210), (200, 120, 90)]))
        draw.polygon([(x - 12, y - 45), (x + 112, y - 45), (x + 50, y - 85)], fill=rng.choice([(120, 80, 60), (90, 90, 100), (170, 60, 40)]))
        draw.rectangle([x + 40, y - 28, x + 60, y], fill=(80, 60, 40))


def _scene_livestock(draw, rng, width, height):
    _sky(draw, rng, width, height)
    _hills(draw, rng, width, height, 0.3, [(110, 130, 95)])
    draw.rectangle([0, int(height * 0.55), width, height], fill=(140, 160, 90))
    barn = (int(width * 0.6), int(height * 0.35), int(width * 0.95), int(height * 0.62))
    draw.rectangle(barn, fill=(150, 110, 70))
    draw.polygon([(barn[0] - 15, barn[1]), (barn[2] + 15, barn[1]), ((barn[0] + barn[2]) // 2, barn[1] - 60)], fill=(90, 70, 50))
    for animal in range(rng.randint(3, 6)):
        x = rng.randint(40, int(width * 0.55))
        y = rng.randint(int(height * 0.62), height - 40)
        colour = rng.choice([(60, 60, 65), (120, 80, 50), (90, 70, 60)])
        draw.ellipse([x, y - 40, x + 110, y + 10], fill=colour)
        draw.ellipse([x + 95, y - 55, x + 135, y - 20], fill=colour)
        draw.arc([x + 92, y - 75, x + 140, y - 40], 200, 340, fill=(230, 220, 200), width=4)
        for leg in (12, 35, 70, 92):
            draw.rectangle([x + leg, y, x + leg + 8, y + 32], fill=colour)


SCENES = {
    "meeting": _scene_meeting, "fields": _scene_fields, "road": _scene_road, "school": _scene_school,
    "clinic": _scene_clinic, "flood": _scene_flood, "market": _scene_market, "festival": _scene_festival,
    "drill": _scene_drill, "village": _scene_village, "livestock": _scene_livestock,
}


def draw_demo_image(rng: random.Random, width: int = 800, height: int = 533, scene: str = "fields") -> bytes:
    """A picture of one kind of scene (a meeting hall, fields, road works, a school, …) drawn with Pillow."""
    from PIL import Image
    from PIL import ImageDraw

    image = Image.new("RGB", (width, height))
    SCENES[scene](ImageDraw.Draw(image), rng, width, height)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=72, optimize=True, progressive=True)
    return output.getvalue()
