"""Import throughput: 100,000 JSONL entries (~150 words each) into a fresh store.

Prints entries/s and peak memory for the first import and for a re-import of the same file
(all duplicates). Each import runs in a child process, so its peak RSS is its own.

    python benchmarks/ingest.py [--entries 100000] [--words 150]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "today I talked with Sam about the weekend and felt tired but okay my mom called again "
    "and asked about work therapy was hard this week Dr Okafor asked what I wanted and I "
    "did not know I went for a walk after dinner the light was beautiful my boss changed "
    "the deadline again I felt anxious and a little angry slept badly coffee with Priya "
    "helped she really listened I keep thinking about what she said"
).split()

CHILD = """
import sys, time, resource, json
import patternlens
with patternlens.open(sys.argv[1]) as lens:
    start = time.perf_counter()
    summary = lens.import_paths([sys.argv[2]])
    elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "added": summary.added, "unchanged": summary.unchanged,
                  "problems": len(summary.problems),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(path: Path, n: int, words: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            day = 1 + i % 28
            text = " ".join(rng.choices(WORDS, k=words))
            out.write(json.dumps({
                "id": f"bench-{i}",
                "date": f"20{15 + i % 10}-{1 + i % 12:02d}-{day:02d}T21:{i % 60:02d}:00+01:00",
                "title": f"Day {i}", "text": text, "tags": ["bench", f"t{i % 7}"], "mood": 1 + i % 5,
            }) + "\n")


def run_import(store: Path, export: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(store), str(export)],
                         capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "bench.jsonl"
        t0 = time.perf_counter()
        generate(export, args.entries, args.words)
        size_mb = export.stat().st_size / 2**20
        print(f"generated {args.entries:,} entries, {size_mb:.0f} MB, in {time.perf_counter() - t0:.1f} s")
        store = Path(tmp) / "bench.duckdb"
        first = run_import(store, export)
        again = run_import(store, export)
        for label, r in (("first import", first), ("re-import (all duplicates)", again)):
            rate = args.entries / r["seconds"]
            print(f"{label:28s} {r['seconds']:6.2f} s  {rate:10,.0f} entries/s  "
                  f"peak {r['peak_mb']:7.0f} MB  added {r['added']:,.0f}  unchanged {r['unchanged']:,.0f}  "
                  f"problems {r['problems']:.0f}")
        print(f"store size {store.stat().st_size / 2**20:.0f} MB; "
              f"this process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print("targets: >= 50,000 entries/s, re-import no slower, peak < 2,048 MB")


if __name__ == "__main__":
    main()
