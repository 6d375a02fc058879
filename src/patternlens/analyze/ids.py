"""Stable finding ids, so that dismissing a finding still applies when it is found again."""

from __future__ import annotations

import hashlib

import polars as pl


def finding_id(kind: str, subject: str, key: str) -> str:
    """``kind`` is the finding type (breadcrumb, rupture, strong, red_flag, crisis); ``key``
    what identifies it for this writer (a theme, a first entry id)."""
    digest = hashlib.sha256(f"{kind}\x1f{subject}\x1f{key}".encode()).hexdigest()[:10]
    return f"{kind[:2]}-{digest}"


def with_finding_ids(frame: pl.DataFrame, kind: str, key: str) -> pl.DataFrame:
    """Add an ``id`` column from the ``subject`` column and the ``key`` column."""
    ids = [finding_id(kind, s, k) for s, k in frame.select("subject", key).iter_rows()]
    return frame.with_columns(pl.Series("id", ids, pl.String))
