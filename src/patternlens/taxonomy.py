"""The label ids (TAXONOMY v1), read from ``taxonomy.toml``: one list for the whole code base."""

from __future__ import annotations

import tomllib
from importlib.resources import files

_DATA = tomllib.loads(files("patternlens").joinpath("taxonomy.toml").read_text(encoding="utf-8"))

VERSION: str = _DATA["version"]
ROLES: tuple[str, ...] = tuple(_DATA["roles"])
THEMES: tuple[str, ...] = tuple(_DATA["themes"])
NEGATIVE_THEMES: tuple[str, ...] = tuple(t for t in THEMES if t not in _DATA["positive_themes"])
RESPONSES: tuple[str, ...] = tuple(_DATA["responses"])
EMOTIONS: tuple[str, ...] = tuple(_DATA["emotions"])
FLAGS: tuple[str, ...] = tuple(_DATA["flags"])
ROLE_GROUPS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["groups"].items()}
