"""Speed of `explain` on long clinical notes, beside a baseline in the same run: only folding and
tokenising the same text (the least any reader of the note must do).

Usage:
    python benchmarks/understanding.py [--words 2000] [--repeats 50]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from onconav.knowledge.service import explain
from onconav.text import slug_words

CASES_FILE = Path(__file__).resolve().parents[1] / "tests" / "knowledge" / "understanding_cases.yaml"


def long_note(words: int) -> str:
    """The accuracy set's notes, repeated until the note has `words` words."""
    cases = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    notes = [case["text"] for case in cases if case["kind"] == "note"]
    text = ""
    while len(text.split()) < words:
        text += " ".join(notes) + "\n"
    return " ".join(text.split()[:words])


def timings_ms(run: Callable[[str], object], text: str, repeats: int) -> list[float]:
    run(text)  # builds any tables once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    note = long_note(args.words)
    print(f"{platform.python_implementation()} {platform.python_version()}, note of {args.words:,} words")
    measured = timings_ms(explain, note, args.repeats)
    baseline = timings_ms(slug_words, note, args.repeats)
    for label, times in (("explain", measured), ("baseline (fold + tokenise)", baseline)):
        print(f"{label:28} median {statistics.median(times):7.2f} ms   best {min(times):7.2f} ms")
    ratio = statistics.median(measured) / statistics.median(baseline)
    print(f"ratio explain / baseline (median): {ratio:.1f}x")


if __name__ == "__main__":
    main()
