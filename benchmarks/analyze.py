"""Analysis time: a full run over many writers, an incremental run after new entries, and
one writer's journal end to end through the CLI (start-up included).

    python benchmarks/analyze.py [--writers 1000] [--entries 1000] [--cli-runs 5] [--cli-only]

Prints seconds and peak memory for each, and the full/incremental ratio. Each measured
step runs in a child process, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# Sentences in the shapes journals use, so extraction has episodes to find.
TEMPLATES = (
    "My mom told me I was overreacting again.",
    "Sam brushed it off when I tried to talk about work.",
    "In therapy today my therapist asked about my week and I felt heard.",
    "My boss decides everything and I had no say in the schedule.",
    "I didn't tell her how much it hurt.",
    "Priya really listened and I felt understood.",
    "Growing up my dad used to yell at me when I cried.",
    "I know it's small but I cried for hours, like a 9/10.",
    "We talked about last session and she apologized.",
    "I don't think therapy is helping and I want to quit.",
    "Went for a walk after dinner, the light was beautiful.",
    "Slept badly, coffee, emails, the usual Tuesday.",
)

CHILD = """
import json, resource, sys, time
import patternlens
with patternlens.open(sys.argv[1]) as lens:
    if len(sys.argv) > 2:
        added = lens.import_paths([sys.argv[2]], subject=sys.argv[3] if len(sys.argv) > 3 else "me")
        assert added.added > 0, f"the import added nothing: {added.problems[:3]}"
    start = time.perf_counter()
    result = lens.refresh()
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "writers": result.subjects, "full": result.full,
                  "partial": result.partial,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_corpus(path: Path, writers: int, entries: int, start: date, seed: int,
                 prefix: str = "w") -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for w in range(writers):
            for i in range(entries):
                day = start + timedelta(days=i)
                text = " ".join(rng.choices(TEMPLATES, k=6))
                out.write(json.dumps({"id": f"{prefix}{w}-{day.isoformat()}-{i}", "subject": f"writer-{w}",
                                      "date": day.isoformat(), "text": text}) + "\n")


def write_long_journal(path: Path, entries: int, start: date, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from extract import make_entries  # the extraction benchmark's ~155-word entries

    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(make_entries(entries, seed)["text"].to_list()):
            out.write(json.dumps({"id": f"long-{i}", "date": (start + timedelta(days=i)).isoformat(),
                                  "text": text}) + "\n")


def child(store: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(store), *extra],
                         capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def analysis_cases(root: Path, writers: int, entries: int) -> None:
    corpus = root / "corpus.jsonl"
    write_corpus(corpus, writers, entries, date(2023, 1, 1), seed=1)
    store = root / "corpus.duckdb"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "patternlens", "--store", str(store), "import",
                    str(corpus)], check=True, capture_output=True)
    print(f"import {writers * entries:,} entries: {time.perf_counter() - t0:.1f} s")

    full = child(store)
    print(f"full analysis              {full['seconds']:8.2f} s  peak {full['peak_mb']:7.0f} MB")

    one = root / "one-writer.jsonl"
    # Journal time does not matter for an append; dates must not lie in the future.
    write_corpus(one, 1, 1000, date(2019, 1, 1), seed=2, prefix="new")
    inc_one = child(store, str(one), "writer-0")
    print(f"incremental, +1,000 entries for one writer ({inc_one['writers']:.0f} re-analysed)  "
          f"{inc_one['seconds']:8.2f} s  "
          f"peak {inc_one['peak_mb']:7.0f} MB  ratio {full['seconds'] / inc_one['seconds']:6.1f}x")

    # 1,000 entries spread over the writers: the next day's entry of each journal (the
    # usual append), and entries dated before the journals began (a backfilled export).
    last = date(2023, 1, 1) + timedelta(days=entries)
    for name, day in (("the next day", last), ("backdated to 2018", date(2018, 1, 1))):
        spread = root / f"spread-{day}.jsonl"
        write_corpus(spread, min(writers, 1000), max(1, 1000 // writers), day,
                     seed=3, prefix=f"spread{day}-")
        inc = child(store, str(spread))
        print(f"incremental, +1,000 entries over {min(writers, 1000)} writers, {name} "
              f"({inc['writers']:.0f} updated, {inc['partial']:.0f} in part)  "
              f"{inc['seconds']:8.2f} s  peak {inc['peak_mb']:7.0f} MB  "
              f"ratio {full['seconds'] / inc['seconds']:6.1f}x")


def cli_cases(root: Path, runs: int) -> None:
    """The CLI on one journal: entries as above (about 60 words), and entries of about 155
    words from the extraction benchmark's generator, closer to a diary's length. Each run is
    checked to report on the journal it imported (the first case's records name their writer),
    not on an empty one."""
    short = root / "journal.jsonl"
    write_corpus(short, 1, 1000, date(2024, 1, 1), seed=4, prefix="j")
    long = root / "long.jsonl"
    write_long_journal(long, 1000, date(2024, 1, 1), seed=5)
    # Bytecode and the compiled lexicon as after a user's first run (an installed package
    # keeps its __pycache__), in folders of their own: the first run starts cold, and
    # PYTHONDONTWRITEBYTECODE, if set, does not make every run compile.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env["PATTERNLENS_CACHE_DIR"] = str(root / "cache")
    for name, journal in (("~60-word", short), ("~155-word", long)):
        seconds = []
        for i in range(runs + 1):
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "patternlens", "--store",
                                  str(root / f"single-{name}-{i}.duckdb"), "analyze", str(journal),
                                  "--out-dir", str(root / f"reports-{name}-{i}")], check=True,
                                 capture_output=True, text=True, env=env)
            seconds.append(time.perf_counter() - t0)
            assert out.stdout.splitlines()[1].startswith("1000 entries"), out.stdout[:300]
        first, seconds = seconds[0], seconds[1:]
        print(f"CLI analyze, one 1,000-entry journal of {name} entries, start-up included: "
              f"median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s "
              f"({runs} runs, each into a new store; before them a first run, compiling bytecode "
              f"and the lexicon: {first:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--writers", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of each CLI case")
    parser.add_argument("--cli-only", action="store_true", help="only the CLI cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.cli_only:
            analysis_cases(root, args.writers, args.entries)
        cli_cases(root, args.cli_runs)
        print("targets: incremental >= 50x faster than full; one journal < 2 s")


if __name__ == "__main__":
    main()
