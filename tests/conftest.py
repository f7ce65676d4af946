"""Shared fixtures: the real recordings in ../shared/data/running (see its README)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    root = Path(os.environ.get("STRIDELAB_SHARED", REPO.parent / "shared"))
    data = root / "data" / "running"
    if not data.is_dir():
        raise RuntimeError(
            f"real test data not found at {data}: clone the project with shared/ beside it "
            "or set STRIDELAB_SHARED"
        )
    return data


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data/running: real recordings nobody here made."""
    return _shared_data()


@pytest.fixture(scope="session")
def rbds(data_dir: Path) -> Path:
    return data_dir / "rbds"
