"""C3D reading: stridelab.read against ezc3d.c3d on the real files, same run."""

from __future__ import annotations

import timeit
from pathlib import Path
from typing import Any

import ezc3d
import pytest

import stridelab
from benchmarks.conftest import record_ratio

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
    record_ratio("C3D read vs ezc3d", name, ours, theirs)
    assert ours > 0


def test_read_c3d_suite_ratio(data_dir: Path) -> None:
    """The whole c3d.org suite (../shared/data/c3d-org): total time over the files both readers
    open, each file best of 3, ours with axes="file" (no axis detection, like ezc3d)."""
    suite = data_dir.parent / "c3d-org"
    if not suite.is_dir():
        pytest.skip("../shared/data/c3d-org not present")
    ours_ms = theirs_ms = 0.0
    both = 0
    for path in sorted(suite.glob("*.c3d")):
        try:
            ezc3d.c3d(str(path))
            stridelab.read(path, axes="file")
        except Exception:  # either refuses it: not a like-for-like file
            continue
        both += 1
        ours_ms += _best_ms(lambda p=path: stridelab.read(p, axes="file"), 3)
        theirs_ms += _best_ms(lambda p=path: ezc3d.c3d(str(p)), 3)
    record_ratio("C3D read vs ezc3d", f"c3d.org suite, {both} files", ours_ms, theirs_ms)
    assert both >= 60
