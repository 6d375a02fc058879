"""Measure the extractor on hand-labelled real text, next to a naive keyword baseline.

    python benchmarks/evaluate.py [--labels tests/data/counselchat/labels.jsonl]
                                  [--flags tests/data/therapy_flags/passages.jsonl]
                                  [--goemotions ../shared/corpus/goemotions] [--split dev]

Counselchat labels (one JSON per line: id, title, text, split, roles, themes, pairs, responses,
emotions and the flags) give precision / recall / F1 per role group (taxonomy evaluation
groups), per theme, per flag, micro and macro, for each split. Tune on "dev" only; report
"test". The baseline says a role or theme is there when any of its words appears anywhere.
The therapy_flags passages (written text, one JSON per line: id, split, text and the flags) give
in_therapy, rupture, repair and red_flag P/R/F1 per split in a second table.
GoEmotions (Reddit comments) checks emotions: anger, fear, sadness, embarrassment (as shame)
and relief. It is skipped with a message when its folder is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from patternlens.extract import extract
from patternlens.extract.lexicon import load_lexicon
from patternlens.extract.sentences import normalized, padded

ROOT = Path(__file__).resolve().parents[1]
GROUPS = {"mother": "parent", "father": "parent", "parent": "parent", "partner": "partner",
          "ex_partner": "partner", "boss": "work", "coworker": "work"}
FLAGS = ("in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis")
GOEMOTIONS = {"anger": "anger", "fear": "fear", "sadness": "sadness",
              "embarrassment": "shame", "relief": "relief"}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: bool, pred: bool) -> None:
        self.tp += gold and pred
        self.fp += pred and not gold
        self.fn += gold and not pred

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


@dataclass
class Table:
    scores: dict[str, Score] = field(default_factory=dict)

    def add_sets(self, labels: Iterable[str], gold: set[str], pred: set[str]) -> None:
        for label in labels:
            self.scores.setdefault(label, Score()).add(label in gold, label in pred)

    def micro(self) -> Score:
        s = Score()
        for v in self.scores.values():
            s.tp, s.fp, s.fn = s.tp + v.tp, s.fp + v.fp, s.fn + v.fn
        return s

    def macro(self) -> float:
        used = [v.f1 for v in self.scores.values() if v.tp + v.fn > 0]
        return sum(used) / len(used) if used else 0.0


def group(roles: Iterable[str]) -> set[str]:
    return {GROUPS.get(r, r) for r in roles}


def frame(ids: list[str], titles: list[str | None], texts: list[str]) -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame(
        {
            "entry_id": ids,
            # each item is another writer: names learned in one must not carry to the next
            "subject": ids,
            "occurred_at": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC)] * n,
            "title": titles,
            "text": texts,
            "mood_level": [None] * n,
            "tags": [[] for _ in range(n)],
        },
        schema_overrides={"title": pl.String, "mood_level": pl.Int8,
                          "tags": pl.List(pl.String)},
    )


def baseline(entries: pl.DataFrame) -> list[dict[str, set[str]]]:
    """A role or theme (or flag) keyword anywhere in the entry, with no context at all."""
    lex = load_lexicon()
    words = [(" " + n + " ", "role", r) for n, r in lex.noun_roles.items()]
    # single keywords only: phrases, slots and context are what the extractor adds
    # (a framed word counts only after its frame: a phrase too)
    cues = lex.cues.filter((pl.col("group") != "person")
                           & ~pl.col("pattern").str.strip_chars().str.contains(" ")
                           & ~(pl.col("pattern") + "\x1f" + pl.col("label")).is_in(list(lex.framed)))
    words += list(zip(cues["pattern"], cues["kind"], cues["label"], strict=True))
    table = pl.DataFrame(words, schema=["pattern", "kind", "label"], orient="row").unique()
    text = pl.when(pl.col("title").is_not_null()).then(
        pl.col("title") + "\n" + pl.col("text")).otherwise(pl.col("text"))
    found = entries.with_row_index("row").select(
        "row", padded(normalized(text)).str.extract_many(
            table["pattern"].unique().to_list(), overlapping=True).alias("pattern")
    ).explode("pattern").join(table, on="pattern")
    out: list[dict[str, set[str]]] = [{} for _ in range(entries.height)]
    for row, kind, label in found.select("row", "kind", "label").unique().iter_rows():
        out[row].setdefault(kind, set()).add(label)
    return out


def show(title: str, table: Table, base: Table | None) -> None:
    print(f"\n{title}")
    print(f"  {'label':<14}{'n':>5}{'P':>7}{'R':>7}{'F1':>7}   {'base F1':>7}")
    for label in sorted(table.scores):
        s = table.scores[label]
        b = f"{base.scores[label].f1:7.2f}" if base and label in base.scores else ""
        print(f"  {label:<14}{s.tp + s.fn:>5}{s.p:7.2f}{s.r:7.2f}{s.f1:7.2f}   {b}")
    m = table.micro()
    bm = f"{base.micro().f1:7.2f}" if base else ""
    bM = f"{base.macro():7.2f}" if base else ""
    print(f"  {'micro':<14}{m.tp + m.fn:>5}{m.p:7.2f}{m.r:7.2f}{m.f1:7.2f}   {bm}")
    print(f"  {'macro':<14}{'':>5}{'':>7}{'':>7}{table.macro():7.2f}   {bM}")


def counselchat(path: Path, splits: list[str]) -> dict[str, dict[str, float]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    results: dict[str, dict[str, float]] = {}
    for split in splits:
        items = [r for r in rows if r.get("split") == split]
        if not items:
            print(f"\n== counselchat {split}: no labelled items yet")
            continue
        entries = frame([r["id"] for r in items], [r.get("title") for r in items],
                        [r.get("text") or "" for r in items])
        got = extract(entries).entries.to_dicts()
        base = baseline(entries)
        role_labels = sorted(group(r for it in items for r in it["roles"]) | set(GROUPS.values()))
        theme_labels = sorted({t for r in items for t in r["themes"]})
        t = {k: Table() for k in ("roles", "themes", "pairs", "responses", "emotions", "flags")}
        bt = {k: Table() for k in ("roles", "themes", "flags")}
        for gold, pred, b in zip(items, got, base, strict=True):
            t["roles"].add_sets(role_labels, group(gold["roles"]), group(pred["roles"]))
            bt["roles"].add_sets(role_labels, group(gold["roles"]), group(b.get("role", set())))
            t["themes"].add_sets(theme_labels, set(gold["themes"]), set(pred["themes"]))
            bt["themes"].add_sets(theme_labels, set(gold["themes"]), b.get("theme", set()))
            pairs_g = {f"{GROUPS.get(r, r)}:{th}" for r, th in gold.get("pairs", [])}
            pairs_p = {f"{GROUPS.get(e['role'], e['role'])}:{th}" for e in pred["episodes"]
                       for th in e["themes"]}
            t["pairs"].add_sets(pairs_g | pairs_p, pairs_g, pairs_p)
            for k in ("responses", "emotions"):
                labels = set(gold[k]) | set(pred[k])
                t[k].add_sets(labels, set(gold[k]), set(pred[k]))
            for flag in FLAGS:
                t["flags"].scores.setdefault(flag, Score()).add(bool(gold[flag]), bool(pred[flag]))
                kind = {"in_therapy": "therapy"}.get(flag, flag)
                bpred = bool(b.get(kind)) if flag != "strong" else bool(b.get("booster"))
                bt["flags"].scores.setdefault(flag, Score()).add(bool(gold[flag]), bpred)
        print(f"\n== counselchat {split}: {len(items)} entries")
        show("roles (evaluation groups)", t["roles"], bt["roles"])
        show("themes", t["themes"], bt["themes"])
        show("role:theme pairs", t["pairs"], None)
        show("responses", t["responses"], None)
        show("emotions", t["emotions"], None)
        show("flags", t["flags"], bt["flags"])
        results[split] = {
            "roles_micro_f1": t["roles"].micro().f1,
            "themes_micro_f1": t["themes"].micro().f1,
            "rupture_f1": t["flags"].scores["rupture"].f1,
            "red_flag_f1": t["flags"].scores["red_flag"].f1,
            "baseline_roles_micro_f1": bt["roles"].micro().f1,
            "baseline_themes_micro_f1": bt["themes"].micro().f1,
        }
    return results


THERAPY_FLAGS = ("in_therapy", "rupture", "repair", "red_flag")


def therapy_flags(path: Path, splits: list[str]) -> dict[str, dict[str, float]]:
    """Written text: the therapy flags on hand-written passages, per split."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    results: dict[str, dict[str, float]] = {}
    for split in splits:
        items = [r for r in rows if r.get("split") == split]
        if not items:
            continue
        entries = frame([r["id"] for r in items], [None] * len(items),
                        [r.get("text") or "" for r in items])
        got = extract(entries).entries.to_dicts()
        table = Table()
        for gold, pred in zip(items, got, strict=True):
            for flag in THERAPY_FLAGS:
                table.scores.setdefault(flag, Score()).add(bool(gold[flag]), bool(pred[flag]))
        show(f"== written text (therapy_flags) {split}: {len(items)} passages", table, None)
        results[split] = {f"{f}_f1": table.scores[f].f1 for f in THERAPY_FLAGS}
    return results


def goemotions(folder: Path, splits: list[str]) -> None:
    if not folder.is_dir():
        print(f"\n== goemotions: {folder} not found, skipped")
        return
    names = (folder / "labels.txt").read_text(encoding="utf-8").split()
    for split in splits:
        path = folder / f"{split}.tsv"
        if not path.exists():
            continue
        df = pl.read_csv(path, separator="\t", has_header=False, quote_char=None,
                         new_columns=["text", "labels", "id"], schema_overrides={
                             "text": pl.String, "labels": pl.String, "id": pl.String})
        got = extract(frame(df["id"].to_list(), [None] * df.height, df["text"].to_list()))
        table = Table()
        for labels, pred in zip(df["labels"].to_list(), got.entries["emotions"].to_list(),
                                strict=True):
            gold = {GOEMOTIONS[names[int(i)]] for i in labels.split(",")
                    if names[int(i)] in GOEMOTIONS}
            table.add_sets(GOEMOTIONS.values(), gold, set(pred))
        show(f"== goemotions {split}: {df.height} comments (embarrassment as shame)", table, None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "tests/data/counselchat/labels.jsonl")
    ap.add_argument("--flags", type=Path,
                    default=ROOT / "tests/data/therapy_flags/passages.jsonl")
    ap.add_argument("--goemotions", type=Path, default=ROOT.parent / "shared/corpus/goemotions")
    ap.add_argument("--split", action="append", help="dev, test (default both)")
    args = ap.parse_args(argv)
    splits = args.split or ["dev", "test"]
    if args.labels.exists():
        res = counselchat(args.labels, splits)
        print("\nsummary:", json.dumps({k: {m: round(v, 3) for m, v in d.items()}
                                        for k, d in res.items()}))
    else:
        print(f"{args.labels} not found: no counselchat figures")
    if args.flags.exists():
        res = therapy_flags(args.flags, splits)
        print("\nwritten text summary:", json.dumps(
            {k: {m: round(v, 3) for m, v in d.items()} for k, d in res.items()}))
    else:
        print(f"{args.flags} not found: no written-text figures")
    goemotions(args.goemotions, splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
