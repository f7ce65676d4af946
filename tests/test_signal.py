"""Cleaning: the zero-lag Butterworth agrees with SciPy on real marker data to 1e-9; residual
analysis picks a plausible marker cutoff; spline filling restores short gaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.signal

import stridelab
from stridelab import signal


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("cutoff_hz", [6.0, 10.0, 20.0])
def test_design_matches_scipy(order: int, cutoff_hz: float) -> None:
    ours = signal.butter_lowpass(cutoff_hz, 150.0, order)
    ref = scipy.signal.butter(order, cutoff_hz, fs=150.0, output="sos")
    assert ours.shape == ref.shape
    # section order and pairing may differ; the cascade's response may not
    w = np.linspace(0, np.pi, 64)
    _, h_ours = scipy.signal.sosfreqz(ours, worN=w)
    _, h_ref = scipy.signal.sosfreqz(ref, worN=w)
    np.testing.assert_allclose(np.abs(h_ours), np.abs(h_ref), atol=1e-12)


@pytest.mark.parametrize("order", [2, 3, 4])
def test_filtfilt_matches_scipy_on_real_markers(rbds: Path, order: int) -> None:
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    x = t.points.reshape(t.n_frames, -1)
    complete = np.isfinite(x).all(axis=0)
    assert complete.sum() >= 90  # the few markers with gaps are tested in test_nan_runs_*
    x = x[:, complete]
    ours = signal.lowpass(x, 10.0, t.point_rate_hz, order)
    ref = scipy.signal.sosfiltfilt(
        scipy.signal.butter(order, 10.0, fs=t.point_rate_hz, output="sos"), x, axis=0
    )
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    # the filtered signal stays in metres near the original (no scaling slip)
    assert np.max(np.abs(ours - x)) < 0.05


def test_filtfilt_matches_scipy_on_force(rbds: Path) -> None:
    t = stridelab.read(rbds / "RBDS001runT35.c3d")
    fz = t.force_plates[0].force_n[:, 2]
    ours = signal.lowpass(fz, 50.0, 300.0, 4)
    ref = scipy.signal.sosfiltfilt(scipy.signal.butter(4, 50.0, fs=300.0, output="sos"), fz)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_nan_runs_are_filtered_apart() -> None:
    x = np.sin(np.linspace(0, 20, 400))
    x[150:160] = np.nan
    ours = signal.lowpass(x, 5.0, 100.0)
    assert np.isnan(ours[150:160]).all()
    sos = scipy.signal.butter(2, 5.0, fs=100.0, output="sos")
    np.testing.assert_allclose(ours[:150], scipy.signal.sosfiltfilt(sos, x[:150]), atol=1e-12)
    np.testing.assert_allclose(ours[160:], scipy.signal.sosfiltfilt(sos, x[160:]), atol=1e-12)


def test_cutoff_above_nyquist_is_refused() -> None:
    with pytest.raises(ValueError, match="Nyquist"):
        signal.butter_lowpass(80.0, 150.0)


def test_residual_analysis_on_running_markers(rbds: Path) -> None:
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    cut = signal.suggest_cutoffs(t)
    assert cut.height == 32 * 3
    # Winter's method on running marker data typically suggests 5-20 Hz.
    median = float(cut["suggested_cutoff_hz"].median())  # type: ignore[arg-type]
    assert 5.0 <= median <= 20.0
    # noise of optical markers: sub-millimetre
    assert float(cut["noise_m"].median()) < 1e-3  # type: ignore[arg-type]


def test_fill_gaps_restores_short_gaps_and_reports(rbds: Path) -> None:
    t = stridelab.read(rbds / "RBDS001runT25markers.txt")
    truth = t.marker("R.Heel.Top").copy()
    pts = t.points.copy()
    i = t.marker_names.index("R.Heel.Top")
    pts[100:106, i] = np.nan  # 6 frames = 40 ms
    pts[1000:1100, i] = np.nan  # too long for a spline
    holed = stridelab.io.Trial(**{**t.__dict__, "points": pts})
    filled, report = signal.fill_gaps(holed, max_gap_frames=10)
    err = np.abs(filled.marker("R.Heel.Top")[100:106] - truth[100:106])
    assert err.max() < 0.003  # within 3 mm during running
    assert np.isnan(filled.marker("R.Heel.Top")[1000:1100]).all()
    rows = report.filter(report["marker"] == "R.Heel.Top").sort("start_frame")
    assert rows["filled"].to_list() == [True, False]
    assert rows["frames"].to_list() == [6, 100]
