"""Throughput of the extractor on generated entries, next to VADER on the same text.

    python benchmarks/extract.py [--entries 100000] [--vader-sample 5000] [--seed 7]

Entries of about 150 words are built from a handful of templates (episodes with a therapist, a
parent, a partner, negations, hypotheticals, ratings) padded with random filler words, so no
data outside the repository is needed. Prints entries/s and peak memory (RSS), then VADER's
SentimentIntensityAnalyzer over a sample of the same entries, scaled to the same count, and the
ratio. Targets: >= 20,000 entries/s on 2 cores and >= 50x VADER.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time

import polars as pl

from patternlens.extract import extract

TEMPLATES = [
    "My {role} {verb} me again today and I {response}.",
    "I know it's tiny but I cried for hours after {name} {verb} me.",
    "{name} didn't judge me at all, which surprised me.",
    "In session my therapist looked bored and I didn't tell her how I felt.",
    "I told my therapist it hurt and she apologized, we talked about last session.",
    "If my {role} left I would be lost, I'm afraid he'll think I'm dramatic.",
    "Growing up my dad used to yell at me when I was a kid.",
    "Anxiety was like an 8/10 today!!! I was SO angry with my {role}.",
    "I should find a new therapist, I can't afford one right now.",
    "My partner Sam said I was overreacting and then changed the subject.",
    "Not that she ever cared, my {role} never listens to me.",
]
ROLES = ["mom", "dad", "boss", "partner", "sister", "friend", "therapist", "husband", "coworker"]
VERBS = ["criticized", "ignored", "dismissed", "yelled at", "supported", "blamed", "texted"]
RESPONSES = ["shut down", "felt ashamed", "was furious", "went quiet", "felt relieved"]
NAMES = ["Sam", "Priya", "Alex", "Jordan"]
FILLER = ["the", "a", "and", "then", "after", "work", "coffee", "walk", "rain", "morning",
          "evening", "dinner", "kitchen", "phone", "meeting", "bus", "weekend", "garden",
          "music", "book", "tired", "long", "day", "week", "slowly", "again", "later",
          "because", "while", "somehow", "maybe", "window", "street", "store", "email",
          "laundry", "plans"]


def make_entries(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts: list[str] = []
        words = 0
        while words < 150:
            if rng.random() < 0.45:
                s = rng.choice(TEMPLATES).format(
                    role=rng.choice(ROLES), verb=rng.choice(VERBS),
                    response=rng.choice(RESPONSES), name=rng.choice(NAMES))
            else:
                s = " ".join(rng.choice(FILLER) for _ in range(rng.randint(6, 14))).capitalize()
                s += rng.choice([".", ".", "!", "?"])
            parts.append(s)
            words += s.count(" ") + 1
        texts.append(" ".join(parts))
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "entry_id": [f"e{i}" for i in range(n)],
            "subject": [f"s{i % 50}" for i in range(n)],
            "occurred_at": [start + dt.timedelta(hours=i) for i in range(n)],
            "title": [None] * n,
            "text": texts,
            "mood_level": [None] * n,
            "tags": [[] for _ in range(n)],
        },
        schema_overrides={"title": pl.String, "mood_level": pl.Int8, "tags": pl.List(pl.String)},
    )


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--vader-sample", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    entries = make_entries(args.entries, args.seed)
    words = entries["text"].str.count_matches(r"\S+").mean()
    people = pl.DataFrame({"subject": ["s1"], "name": ["Priya"], "role": ["therapist"]})
    extract(entries.head(100), people)  # load and compile the lexicon outside the timing
    before = peak_rss_mb()
    cpu0 = os.times()
    t0 = time.perf_counter()
    result = extract(entries, people)
    took = time.perf_counter() - t0
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    rate = args.entries / took
    print(f"threads: {pl.thread_pool_size()} (cores: {os.cpu_count()})")
    print(f"patternlens {result.version}: {args.entries:,} entries of ~{words:.0f} words "
          f"in {took:.2f} s = {rate:,.0f} entries/s; {result.episodes.height:,} episodes")
    # on a shared machine wall time includes waiting for other processes; CPU time does not
    print(f"CPU time: {cpu:.2f} s ({args.entries / cpu:,.0f} entries per CPU-second, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"peak RSS: {peak_rss_mb():,.0f} MB (before extraction {before:,.0f} MB)")

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("vaderSentiment is not installed: no comparison")
        return 0
    sample = entries["text"].head(min(args.vader_sample, args.entries)).to_list()
    analyzer = SentimentIntensityAnalyzer()
    cpu0 = os.times()
    t0 = time.perf_counter()
    for text in sample:
        analyzer.polarity_scores(text)
    vader = len(sample) / (time.perf_counter() - t0)
    cpu1 = os.times()
    vader_cpu = len(sample) / ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system))
    print(f"VADER: {len(sample):,} entries (sample) at {vader:,.0f} entries/s "
          f"= {args.entries / vader:.1f} s for all {args.entries:,}")
    print(f"ratio: patternlens is {rate / vader:.1f}x VADER (wall), "
          f"{(args.entries / cpu) / vader_cpu:.1f}x per CPU-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
