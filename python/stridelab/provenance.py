"""How a result was made, recorded with it: every Parquet file stridelab writes carries these as
key-value metadata and every JSON report as its ``provenance`` field.

Keys: ``stridelab_version``, ``schema_version`` (of the per-stride metrics table: it changes
when a column is added, renamed or redefined), ``created_utc`` (ISO 8601), ``inputs`` (file →
SHA-256 of its bytes), ``static``, ``speed_m_s`` and ``speed_source`` (``given``, or estimated
from the markers: the metrics table's ``speed_m_s`` and ``speed_estimated`` give each trial's),
``rules`` (the pattern thresholds: ``shipped`` or the file and its hash), plus any extra
settings the caller passes (filters, marker set, …). Values are strings (JSON for structures),
as Parquet metadata requires.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from stridelab._native import __version__

__all__ = ["SCHEMA_VERSION", "log", "provenance", "safe_name", "sha256_file"]

#: version of the per-stride metrics table's columns
SCHEMA_VERSION = "3"

#: the package's logger; the CLI sets its level with --verbose / --quiet
log = logging.getLogger("stridelab")


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    static: str | os.PathLike[str] | None = None,
    speed_m_s: float | None = None,
    rules: str = "shipped",
    speed_source: str | None = None,
    **settings: object,
) -> dict[str, str]:
    """The provenance record of a result made from ``inputs`` (see the module notes)."""
    files = [Path(p) for p in inputs]
    if static is not None:
        files.append(Path(static))
    digests = {str(p): sha256_file(p) for p in files if p.is_file()}
    record = {
        "stridelab_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "inputs": json.dumps(digests),
        "static": str(static) if static is not None else "",
        "speed_m_s": "" if speed_m_s is None else f"{speed_m_s:g}",
        "speed_source": speed_source
        or ("given" if speed_m_s is not None else "estimated from the markers where possible"),
        "rules": rules,
    }
    for key, value in settings.items():
        record[key] = value if isinstance(value, str) else json.dumps(value, default=str)
    return record


def safe_name(name: str) -> str:
    """A runner or trial name usable as one file name: path separators and other characters
    that would make folders or break shells become ``_``."""
    cleaned = re.sub(r"[^\w.\-]+", "_", name).strip("._")
    return cleaned or "runner"
