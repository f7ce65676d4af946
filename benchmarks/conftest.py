"""Benchmarks compare stridelab with what a user would otherwise run, in the same process and
run, and print the speed-up ratios at the end. Run on purpose:

    pytest benchmarks --benchmark-enable

They are not part of the test suite (``testpaths = ["tests"]``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RATIOS: list[tuple[str, str, float, float]] = []


@pytest.fixture(scope="session")
def data_dir() -> Path:
    root = Path(os.environ.get("STRIDELAB_SHARED", REPO.parent / "shared"))
    return root / "data" / "running"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RATIOS:
        return
    terminalreporter.section("stridelab speed-up (same run, best of repeats)")
    for what, case, ours_ms, theirs_ms in RATIOS:
        terminalreporter.write_line(
            f"{what:<28} {case:<32} stridelab {ours_ms:8.2f} ms   "
            f"reference {theirs_ms:8.2f} ms   ratio {theirs_ms / ours_ms:6.1f}x"
        )
