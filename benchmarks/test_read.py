"""C3D reading: stridelab.read against ezc3d.c3d on the real files, same run."""

from __future__ import annotations

import timeit
from pathlib import Path
from typing import Any

import ezc3d
import pytest

import stridelab
from benchmarks.conftest import RATIOS

FILES = [
    "rbds/RBDS001runT35.c3d",
    "ric/20140515T133244_run.c3d",
    "theia/pose_filt_2.c3d",
]


def _best_ms(fn: Any, repeat: int) -> float:
    return min(timeit.repeat(fn, number=1, repeat=repeat)) * 1e3


@pytest.mark.parametrize("name", FILES)
def test_read_c3d_stridelab(benchmark: Any, data_dir: Path, name: str) -> None:
    path = data_dir / name
    benchmark.group = f"read {name}"
    trial = benchmark(stridelab.read, path)
    assert trial.n_frames > 0


@pytest.mark.parametrize("name", FILES)
def test_read_c3d_ezc3d(benchmark: Any, data_dir: Path, name: str) -> None:
    path = str(data_dir / name)
    benchmark.group = f"read {name}"
    c = benchmark(ezc3d.c3d, path)
    assert c["header"]["points"]["frame_rate"] > 0


@pytest.mark.parametrize("name", FILES)
def test_read_c3d_ratio(data_dir: Path, name: str) -> None:
    """Both readers timed back to back (interleaved, best of 7) so the ratio is from one run."""
    path = data_dir / name
    ours = _best_ms(lambda: stridelab.read(path), 7)
    theirs = _best_ms(lambda: ezc3d.c3d(str(path)), 7)
    RATIOS.append(("C3D read vs ezc3d", name, ours, theirs))
    assert ours > 0
