"""How often the spoken form of a sentence is the one expected: the normalizer's score on a held-out set.

    .venv/bin/python bench/speech_accuracy.py [TSV ...] [--show] [--target 0.90] [--fuzz 20000] [--demo 200]

Each TSV line is KIND<TAB>sentence<TAB>expected spoken form[<TAB>another acceptable form ...] ('#' starts
a comment); the default is tests/fixtures/everyday_heldout.tsv, written before the rules it measures.
Two figures: "exact" (the output is one of the forms, character for character) and "spoken" (the same
once case, the kind of dash and runs of spaces are set aside: a voice says "Một – ba", "một - ba" and
"một ba" alike). The score per kind shows where the misses are; --show prints each miss beside what
was expected. --fuzz N also feeds N random news-like strings to spoken_form and counts any that raise
or leave a digit behind. --demo N times spoken_sentences() over N demo articles (the demo's own stories,
built in memory: no database), the work a server does for every article it reads aloud; the figure is CPU
time, the best of five runs, so other programs on the machine disturb it less. Figures go to
bench/results/speech_accuracy.json; the exit status is 1 when the "spoken" score is under --target or the
fuzz finds a failure.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
HELD_OUT = ROOT / "tests" / "fixtures" / "everyday_heldout.tsv"
_DASHES = re.compile(r"[-‐‑‒–—]")

# What the fuzz strings are made of: the pieces news text is made of, digits and signs included.
_FUZZ_PIECES = list("0123456789 .,:/-–%°²³½hHđmkgIVXứáầ()&~±≥×+") + [
    "UBND", "ngày ", "tháng ", "năm ", "thứ ", "quý ", "khóa ", "số ", "vòng ", "hạng ", "giờ ", "km", "ha",
    "đồng", "đ/kg", "USD", "QĐ-", "/QĐ-UBND", "TP.", "\u00a0", "０", "٣", "1.234", "2023", "2025/26", "0216 ",
    "30E-", "456.78", "\n", "HCV", "gửi ", "bấm ", "mmHg", "V.League", "PTDTBT", "của UBND", "thua ", "hòa ",
]


def read_rows(path: Path) -> list[tuple[str, str, list[str]]]:
    """The (kind, sentence, acceptable spoken forms) of a held-out TSV file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, *forms = line.split("\t")
        rows.append((kind, text, forms))
    return rows


def as_heard(text: str) -> str:
    """The text as a voice says it: no case, one kind of dash (a pause, like a space), single spaces."""
    return " ".join(_DASHES.sub(" ", text.casefold()).split())


def score(rows, spoken_form) -> dict:
    """Exact and as-heard matches over the rows, overall and per kind, with the misses."""
    by_kind = collections.defaultdict(lambda: [0, 0])
    exact = heard = 0
    misses = []
    for kind, text, forms in rows:
        got = spoken_form(text)
        is_exact = got in forms
        is_heard = as_heard(got) in {as_heard(form) for form in forms}
        exact += is_exact
        heard += is_heard
        by_kind[kind][0] += is_heard
        by_kind[kind][1] += 1
        if not is_heard:
            misses.append({"kind": kind, "text": text, "got": got, "expected": forms[0]})
    return {"rows": len(rows), "exact": exact, "spoken": heard,
            "by_kind": {kind: {"spoken": hit, "rows": count} for kind, (hit, count) in by_kind.items()},
            "misses": misses}


def fuzz(spoken_form, count: int, seed: int = 2026) -> list[dict]:
    """Random news-like strings whose spoken form raises or still has a digit in it."""
    chooser = random.Random(seed)
    failures = []
    for _ in range(count):
        text = "".join(chooser.choice(_FUZZ_PIECES) for _ in range(chooser.randint(0, 40)))
        try:
            spoken = spoken_form(text)
        except Exception as error:  # a failure to count and show, whatever it is
            failures.append({"text": text, "error": repr(error)})
            continue
        if any(ch.isdigit() or ch.isnumeric() for ch in spoken):
            failures.append({"text": text, "spoken": spoken})
    return failures


def demo_articles(count: int) -> list[tuple[str, str]]:
    """(title, body HTML) of count demo stories, every kind in turn, as the demo seed writes them."""
    from services.demo.stories import ANCHOR, BACKGROUND, DEMO_SEED, KINDS, PLACES

    chooser = random.Random(DEMO_SEED)
    articles = []
    for number in range(count):
        published = ANCHOR - dt.timedelta(hours=9 * number)
        story = KINDS[number % len(KINDS)](chooser, chooser.choice(PLACES), published)
        paragraphs = story.paragraphs + (story.extras + BACKGROUND if number % 10 == 3 else [])
        articles.append((story.title, "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)))
    return articles


def time_demo(count: int) -> dict:
    """CPU seconds (best of five) that spoken_sentences() takes over count demo articles, and per sentence."""
    from services.speech.spoken_text import spoken_sentences

    articles = demo_articles(count)
    sentences = sum(len(spoken_sentences(title, body)) for title, body in articles)
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for title, body in articles:
            spoken_sentences(title, body)
        best = min(best, time.process_time() - started)
    return {"articles": count, "sentences": sentences, "seconds": best,
            "microseconds_per_sentence": best / max(sentences, 1) * 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[HELD_OUT], help="held-out TSV files")
    parser.add_argument("--show", action="store_true", help="print every miss")
    parser.add_argument("--target", type=float, default=0.90, help="lowest acceptable 'spoken' score")
    parser.add_argument("--fuzz", type=int, default=20000, help="random strings to try (0: none)")
    parser.add_argument("--demo", type=int, default=200, help="demo articles to time (0: none)")
    options = parser.parse_args()

    from services.vietnamese import spoken_form

    rows = [row for path in options.files for row in read_rows(path)]
    started = time.perf_counter()
    result = score(rows, spoken_form)
    elapsed = time.perf_counter() - started
    total = max(result["rows"], 1)
    print(f"{result['rows']} sentences from {', '.join(str(path) for path in options.files)}")
    print(f"exact  {result['exact']:4d}  {result['exact'] / total:6.1%}")
    print(f"spoken {result['spoken']:4d}  {result['spoken'] / total:6.1%}   (case, dashes and spaces set aside)")
    for kind, counts in sorted(result["by_kind"].items()):
        print(f"  {kind:<10} {counts['spoken']:3d}/{counts['rows']:<3d} {counts['spoken'] / counts['rows']:6.1%}")
    print(f"{elapsed * 1000 / total:.2f} ms a sentence")
    if options.show:
        for miss in result["misses"]:
            print(f"\n[{miss['kind']}] {miss['text']}\n  got:      {miss['got']}\n  expected: {miss['expected']}")

    failures = fuzz(spoken_form, options.fuzz) if options.fuzz else []
    if options.fuzz:
        print(f"fuzz: {options.fuzz} random strings, {len(failures)} raised or kept a digit")
        for failure in failures[:10]:
            print("  ", failure)

    timing = time_demo(options.demo) if options.demo else None
    if timing:
        print(f"demo: {timing['articles']} articles, {timing['sentences']} sentences, "
              f"{timing['seconds'] * 1000:.0f} ms CPU, {timing['microseconds_per_sentence']:.0f} µs a sentence")

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speech_accuracy.json").write_text(json.dumps({
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "files": [str(path) for path in options.files], **result,
        "fuzz": {"inputs": options.fuzz, "failures": failures}, "demo": timing,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    missed_target = result["spoken"] / total < options.target
    if missed_target:
        print(f"below the target of {options.target:.0%}")
    return 1 if missed_target or failures else 0


if __name__ == "__main__":
    sys.exit(main())
