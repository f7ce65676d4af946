"""Freezes the pipeline's outputs on real trials as the regression reference of
``tests/test_golden.py`` (issue 15: a refactor must not change a number). Rerun only when a
change of output is intended, and say so in the commit.

    python tools/make_golden.py            # writes tests/golden/*.parquet

Needs ../shared beside the repository (or STRIDELAB_SHARED).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from golden_cases import CASES, run_case  # noqa: E402

SHARED = Path(os.environ.get("STRIDELAB_SHARED", REPO.parent / "shared"))


def main() -> None:
    dest = REPO / "tests" / "golden"
    dest.mkdir(exist_ok=True)
    for name in CASES:
        for part, table in run_case(name, SHARED / "data" / "running").items():
            table.write_parquet(dest / f"{name}__{part}.parquet", compression="zstd")
            print(name, part, table.shape)
    pl.DataFrame({"case": list(CASES)}).write_csv(dest / "cases.csv")


if __name__ == "__main__":
    main()
