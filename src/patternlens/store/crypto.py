"""DuckDB's AES-GCM encryption at rest, with its crypto loaded offline.

Writing an encrypted DuckDB file needs the httpfs extension's crypto. DuckDB would
download the extension; patternlens never touches the network, so it loads the build that
the ``duckdb-extension-httpfs`` package installs, which must match DuckDB's version exactly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from patternlens.errors import StoreError


def httpfs_path() -> Path:
    try:
        import duckdb_extension_httpfs
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise StoreError("encrypted stores need the package duckdb-extension-httpfs") from exc
    version = duckdb.__version__
    package = Path(duckdb_extension_httpfs.__file__).parent
    path = package / "extensions" / f"v{version}" / "httpfs.duckdb_extension"
    if not path.exists():
        raise StoreError(
            f"encrypted stores need duckdb-extension-httpfs {version} to match duckdb {version}; "
            f"install it with: pip install 'duckdb-extension-httpfs=={version}'"
        )
    return path


def load_crypto(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{httpfs_path()}'")


def sql_string(value: str) -> str:
    """Quote a value as an SQL string literal (ATTACH options take no parameters)."""
    return "'" + value.replace("'", "''") + "'"
