"""Zero-lag Butterworth: stridelab.signal.lowpass against scipy.signal.sosfiltfilt on the same
real marker array (4500 frames x 96 coordinates), same run."""

from __future__ import annotations

import timeit
from pathlib import Path
from typing import Any

import numpy as np
import scipy.signal

import stridelab
from benchmarks.conftest import record_ratio
from stridelab import signal


def _data(data_dir: Path) -> np.ndarray:
    t = stridelab.read(data_dir / "rbds" / "RBDS001runT35.c3d")
    return np.ascontiguousarray(t.points.reshape(t.n_frames, -1))


def test_filter_stridelab(benchmark: Any, data_dir: Path) -> None:
    x = _data(data_dir)
    benchmark.group = "lowpass 4500 x 96"
    out = benchmark(signal.lowpass, x, 10.0, 150.0, 2)
    assert out.shape == x.shape


def test_filter_scipy(benchmark: Any, data_dir: Path) -> None:
    x = _data(data_dir)
    sos = scipy.signal.butter(2, 10.0, fs=150.0, output="sos")
    benchmark.group = "lowpass 4500 x 96"
    out = benchmark(scipy.signal.sosfiltfilt, sos, x, axis=0)
    assert out.shape == x.shape


def test_filter_ratio(data_dir: Path) -> None:
    x = _data(data_dir)
    sos = scipy.signal.butter(2, 10.0, fs=150.0, output="sos")
    ours = min(timeit.repeat(lambda: signal.lowpass(x, 10.0, 150.0, 2), number=1, repeat=9)) * 1e3
    theirs = (
        min(timeit.repeat(lambda: scipy.signal.sosfiltfilt(sos, x, axis=0), number=1, repeat=9))
        * 1e3
    )
    record_ratio("lowpass vs scipy sosfiltfilt", "RBDS001 T35 markers", ours, theirs)
    np.testing.assert_allclose(
        signal.lowpass(x, 10.0, 150.0, 2), scipy.signal.sosfiltfilt(sos, x, axis=0), atol=1e-9
    )
