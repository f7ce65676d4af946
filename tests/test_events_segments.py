"""Events from a tracked foot segment (``events.from_segments``) scored against force-plate
events on RBDS001 (forefoot striker, instrumented treadmill; reference: 20 N after a 30 Hz
low-pass, as in ``test_events.py``), with the foot reduced to what other protocols track:

(b) only the three heel markers, treated as a rigid cluster, with the metatarsal heads carried
    from the static trial;
(c) the same foot as a 4×4 pose per frame (what a markerless export gives), with the static;
(d) the heel markers renamed to an anonymous foot cluster and a static with only malleoli and
    trochanters (the Running Injury Clinic layout): the sole is placed from the static alone.

The RIC and Theia files in ``shared/`` have no force data: for them the test asserts only that
``events.check`` flags what is implausible rather than passing it silently.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from scipy.signal import butter, filtfilt

import stridelab
from stridelab import _native, events
from stridelab.errors import DataError
from stridelab.io import Trial
from test_events import _score, _upsampled

HEEL = [f"{s}.Heel.{p}" for s in "LR" for p in ("Top", "Bottom", "Lateral")]


def _keep(trial: Trial, names: list[str], rename: dict[str, str] | None = None) -> Trial:
    return trial.with_markers(names, rename)


# the RBDS heel markers as a RIC-style shoe cluster (no heel labels left)
RENAME = {n: n.replace("Heel.", "Foot.") for n in HEEL}


def _ric_layout(trial: Trial, static: Trial) -> tuple[Trial, Trial]:
    """Route (d): the run with only its heel markers, renamed as a shoe cluster, and the
    static with that cluster, the malleoli and the trochanters (the RIC static's markers)."""
    keep = [n for n in static.marker_names if "Heel" in n or "Ankle" in n or "GTR" in n]
    return _keep(trial, HEEL, RENAME), _keep(static, keep, RENAME)


def _as_poses(trial: Trial, static: Trial) -> Trial:
    """The heel cluster of each foot as a 4×4 pose per frame (``L_foot``/``R_foot``), no
    markers: the poses map the static trial's lab frame onto each frame."""
    rots = []
    for side in "LR":
        names = [n for n in HEEL if n.startswith(side)]
        local = np.array([np.nanmean(static.marker(n), axis=0) for n in names])
        idx = [trial.marker_names.index(n) for n in names]
        flat = np.ascontiguousarray(trial.points[:, idx].reshape(trial.n_frames, -1))
        rots.append(_native.cluster_poses(local, flat, 0.015).reshape(-1, 4, 4))
    return dataclasses.replace(
        trial,
        marker_names=(),
        points=np.zeros((trial.n_frames, 0, 3)),
        missing_percent=np.zeros(0),
        rotation_names=("L_foot", "R_foot"),
        rotation_rate_hz=trial.point_rate_hz,
        rotations=np.ascontiguousarray(np.stack(rots, axis=1)),
    )


def _static_with_identity_poses(static: Trial) -> Trial:
    eye = np.broadcast_to(np.eye(4), (static.n_frames, 2, 4, 4))
    return dataclasses.replace(
        static,
        rotation_names=("L_foot", "R_foot"),
        rotation_rate_hz=static.point_rate_hz,
        rotations=np.ascontiguousarray(eye),
    )


def _errors(trial: Trial, est: pl.DataFrame) -> dict[tuple[str, str], tuple[np.ndarray, int, int]]:
    ref = events.from_force(trial, threshold_n=20.0)
    end = trial.duration_s - 0.4
    out = {}
    for side in ("L", "R"):
        for kind in ("IC", "TO"):

            def times(df: pl.DataFrame, side: str = side, kind: str = kind) -> np.ndarray:
                t = df.filter((pl.col("side") == side) & (pl.col("event") == kind))["time_s"]
                arr = t.to_numpy()
                return arr[(arr > 0.3) & (arr < end)]

            out[(side, kind)] = _score(times(ref), times(est))
    return out


def _report(label: str, errs: dict[tuple[str, str], tuple[np.ndarray, int, int]]) -> None:
    parts = [
        f"{s} {k}: bias {e.mean():+.1f} MAE {np.abs(e).mean():.1f} max {np.abs(e).max():.1f} "
        f"missed {m} false {f}"
        for (s, k), (e, m, f) in errs.items()
    ]
    print(f"\n{label}: " + "; ".join(parts))


def _variants(rbds: Path, name: str, static_name: str) -> dict[str, pl.DataFrame]:
    trial = stridelab.read(rbds / name)
    static = stridelab.read(rbds / static_name)
    return {
        "b": events.from_segments(_keep(trial, HEEL), static),
        "c": events.from_segments(_as_poses(trial, static), _static_with_identity_poses(static)),
        "d": events.from_segments(*_ric_layout(trial, static)),
    }


@pytest.fixture(scope="module")
def variants_25(rbds: Path) -> tuple[Trial, dict[str, pl.DataFrame]]:
    return stridelab.read(rbds / "RBDS001runT25markers.txt"), _variants(
        rbds, "RBDS001runT25markers.txt", "RBDS001static.txt"
    )


@pytest.fixture(scope="module")
def variants_35(rbds: Path) -> tuple[Trial, dict[str, pl.DataFrame]]:
    return stridelab.read(rbds / "RBDS001runT35.c3d"), _variants(
        rbds, "RBDS001runT35.c3d", "RBDS001static.c3d"
    )


def _assert_limits(errs: dict[tuple[str, str], tuple[np.ndarray, int, int]]) -> None:
    """The issue's limits: IC MAE <= 5 ms, TO MAE <= 8 ms, max |error| <= 15 ms, no missed and
    no false event."""
    for (side, kind), (err, missed, false) in errs.items():
        assert err.size > 30, (side, kind)
        assert missed == 0, (side, kind, missed)
        assert false == 0, (side, kind, false)
        assert np.abs(err).mean() <= (5.0 if kind == "IC" else 8.0), (side, kind)
        assert np.abs(err).max() <= 15.0, (side, kind, np.abs(err).max())


@pytest.mark.parametrize("variant", ["b", "c", "d"])
def test_segment_events_at_2_5_m_s(variants_25: tuple, variant: str) -> None:
    trial, found = variants_25
    errs = _errors(trial, found[variant])
    _report(f"RBDS001 2.5 m/s ({variant})", errs)
    _assert_limits(errs)
    assert set(found[variant]["source"]) == {"segment"}
    assert found[variant]["quality"].is_between(0.0, 1.0).all()


def test_segment_events_at_3_5_m_s(variants_35: tuple) -> None:
    """Every variant meets the issue's limits at 3.5 m/s too. (b) and (c) did not while the
    static's heel markers, carried by the heel cluster they belong to, were timed by their
    velocity minimum: one right IC was 16.4 ms early; they are now timed as the marker route
    times markers (the change-point fit), and the worst IC is 7.4 ms."""
    trial, found = variants_35
    for variant in ("d", "b", "c"):
        errs = _errors(trial, found[variant])
        _report(f"RBDS001 3.5 m/s ({variant})", errs)
        _assert_limits(errs)


@pytest.mark.parametrize("name", ["RBDS001runT25markers.txt", "RBDS001runT35.c3d"])
def test_the_ric_layout_holds_at_the_ric_frame_rate(rbds: Path, name: str) -> None:
    """Running Injury Clinic data are captured at 200 Hz: route (d) on RBDS001 upsampled to
    200 Hz by a cubic spline meets the issue's limits against the same force truth. Measured:
    IC MAE 2.2-3.8 ms, max 5.3-7.1 ms; TO MAE 1.7-6.5 ms, max 10.9 ms. With the change-point
    window nine frames whatever the rate (until 2026-12): IC max 12.1-13.4 ms at 3.5 m/s."""
    trial = stridelab.read(rbds / name)
    static = stridelab.read(
        rbds / name.replace("runT25markers", "static").replace("runT35", "static")
    )
    cluster, ric_static = _ric_layout(trial, static)
    errs = _errors(trial, events.from_segments(_upsampled(cluster, 200.0), ric_static))
    _report(f"{name} at 200 Hz (d)", errs)
    _assert_limits(errs)


def test_pose_and_cluster_give_the_same_events(variants_25: tuple) -> None:
    """A 4x4 pose per frame and the cluster it was made from are one foot segment."""
    _, found = variants_25
    assert np.allclose(found["b"]["time_s"].to_numpy(), found["c"]["time_s"].to_numpy(), atol=1e-9)


def test_a_cluster_without_its_static_is_refused_with_the_reason(rbds: Path) -> None:
    trial = _keep(stridelab.read(rbds / "RBDS001runT25markers.txt"), HEEL)
    with pytest.raises(DataError, match="static trial"):
        events.from_segments(trial)
    static = stridelab.read(rbds / "RBDS001static.txt")
    no_ankles = _keep(static, [n for n in static.marker_names if "Heel" in n])
    with pytest.raises(DataError, match="malleoli"):
        events.from_segments(_keep(trial, HEEL, RENAME), _keep(no_ankles, HEEL, RENAME))


def test_an_unknown_touchdown_timing_is_refused_by_name() -> None:
    """Each carried point says how its touchdown is timed; a typo is an error, not a default."""
    poses = np.tile(np.eye(4).reshape(1, 16), (400, 1))
    points = np.zeros((2, 3))
    with pytest.raises(ValueError, match='unknown touchdown timing "heel"'):
        _native.segment_events(poses, points, None, 200.0, ["rearfoot", "heel"])
    with pytest.raises(DataError, match="1 touchdown timings for 2 foot points"):
        _native.segment_events(poses, points, None, 200.0, ["rearfoot"])


def _contacts_and_cadence(found: pl.DataFrame, side: str) -> tuple[np.ndarray, float]:
    foot = found.filter(pl.col("side") == side).sort("time_s")
    kinds, times = foot["event"].to_list(), foot["time_s"].to_numpy()
    contacts = np.array(
        [times[i + 1] - times[i] for i in range(len(kinds) - 1) if kinds[i : i + 2] == ["IC", "TO"]]
    )
    ics = times[np.array(kinds) == "IC"]
    return contacts, 120.0 / float(np.median(np.diff(ics)))


def test_ric_shoe_clusters_give_plausible_events(data_dir: Path) -> None:
    """The RIC trial (shoe clusters on the heel counter, a static with malleoli and
    trochanters, markers low-passed by the lab) screens through the segment route with a sole
    placed from the static. No force data: plausibility only (the issue's bounds) — events
    alternate, contacts last 0.15-0.40 s, cadence is 140-200 steps/min, and every event has a
    quality. Measured: 37 strides per foot, median contact 0.250 s (L) and 0.245 s (R), cadence
    184 steps/min. Most right ICs lie next to runs of frames where the right shoe cluster
    leaves its shank (the ankle carried by the foot and by the shank 125-531 mm apart, most in
    late swing): those ICs keep their place (the strides stay plausible) but at half their
    quality; the left foot and the right TOs keep quality >= 2/3 but for a few."""
    ric = stridelab.read(data_dir / "ric/20140515T133244_run.c3d")
    static = stridelab.read(data_dir / "ric/20140515T133244_static.c3d")
    found = events.from_segments(ric, static)
    assert events.check(found, ric.duration_s) == []
    assert found["quality"].is_between(0.0, 1.0).all()
    for side in ("L", "R"):
        contacts, cadence = _contacts_and_cadence(found, side)
        assert contacts.size >= 30, side
        assert 0.15 <= float(np.median(contacts)) <= 0.40, side
        assert np.mean((contacts >= 0.15) & (contacts <= 0.40)) >= 0.9, side
        assert 140.0 <= cadence <= 200.0, (side, cadence)
    trusted = found.filter(pl.col("quality") >= 2 / 3)
    assert trusted.filter(pl.col("side") == "L").height >= 0.9 * 74
    assert trusted.filter((pl.col("side") == "R") & (pl.col("event") == "TO")).height >= 33
    # checked apart from the module: where the right foot's cluster leaves its shank
    gap = _ankle_gap_mm(ric, static, "R")
    leaves = np.flatnonzero(gap > 35.0) / 200.0
    ics = found.filter((pl.col("side") == "R") & (pl.col("event") == "IC"))
    near = np.array([np.abs(leaves - t).min() <= 0.05 for t in ics["time_s"]])
    assert near.sum() >= 15  # measured: 21 of 37
    assert (ics.filter(pl.Series(near))["quality"] <= 0.5).all()
    assert (ics.filter(pl.Series(~near))["quality"] >= 2 / 3).mean() > 0.8


def _ankle_gap_mm(
    trial: Trial, static: Trial, side: str, shank: str = "shank_", foot: str = "foot_"
) -> np.ndarray:
    """Per frame, how far apart (mm) the static's malleoli midpoint lies when carried by the
    foot cluster and by the shank cluster (RIC labels; RBDS's: ``"Shank."``, ``"Heel."``)."""

    def poses(names: list[str]) -> np.ndarray:
        local = np.array([np.nanmean(static.marker(n), axis=0) for n in names])
        flat = np.stack([trial.marker(n) for n in names], axis=1).reshape(trial.n_frames, -1)
        return _native.cluster_poses(local, np.ascontiguousarray(flat), 0.015).reshape(-1, 4, 4)

    mall = [n for n in static.marker_names if n.startswith(side) and "nkle" in n]
    ankle = np.mean([np.nanmean(static.marker(n), axis=0) for n in mall], axis=0)
    shank_names = [n for n in trial.marker_names if n.startswith(side) and shank in n]
    foot_names = [n for n in trial.marker_names if n.startswith(side) and foot in n]
    a, b = poses(shank_names), poses(foot_names)
    moved = (a[:, :3, :3] - b[:, :3, :3]) @ ankle + a[:, :3, 3] - b[:, :3, 3]
    return np.linalg.norm(moved, axis=1) * 1000.0


@pytest.mark.parametrize("phase", [0, 1])
def test_a_swing_dip_near_the_floor_is_not_a_stance(data_dir: Path, phase: int) -> None:
    """The RIC trial at 100 Hz (every other frame): the left foot's sole, placed from
    proportions, passes within 21 mm of its stance height for 80 ms in late swing, 70 ms
    before the heel lands. At 200 Hz that dip is a frame short of the shortest stance (80 ms);
    at 100 Hz it passed and gave 2-3 ICs 200 ms early (quality 0.17) and IC/TO out of order.
    Two low windows closer than half a runner's swing time (about 0.37 s even at top speed,
    Weyand et al. 2000) are not two stances: the shorter is dropped. The left foot (no
    tracking glitch) now has the 200 Hz ICs and TOs, none missed or false."""
    ric = stridelab.read(data_dir / "ric/20140515T133244_run.c3d")
    static = stridelab.read(data_dir / "ric/20140515T133244_static.c3d")
    full = events.from_segments(ric, static)
    half = dataclasses.replace(
        ric, points=np.ascontiguousarray(ric.points[phase::2]), point_rate_hz=100.0
    )
    found = events.from_segments(half, static).with_columns(pl.col("time_s") + phase / 200.0)
    assert not [w for w in events.check(found, half.duration_s) if w.startswith("L foot")]
    for kind in ("IC", "TO"):

        def times(df: pl.DataFrame, kind: str = kind) -> np.ndarray:
            sel = df.filter((pl.col("side") == "L") & (pl.col("event") == kind))
            return sel["time_s"].to_numpy()

        err, missed, false = _score(times(full), times(found))
        assert (missed, false) == (0, 0), (kind, missed, false)
        assert np.abs(err).max() <= 10.0, (kind, np.abs(err).max())


@pytest.mark.parametrize("seed", [0, 1])
def test_noise_on_a_lab_low_passed_file_keeps_its_events(data_dir: Path, seed: int) -> None:
    """The RIC file (low-passed by the lab) with 0.1 mm of white noise on every marker: the
    low-pass check takes the noise's share out of the cluster's differences (estimated from
    its sixth differences), so the file still reads as low-passed and the virtual heel keeps
    the longer time to be seen standing. Until 2026-12 the noise made it read as unfiltered
    and the left foot's IC landmark moved to the virtual toe: 20 ICs missed and 20 false,
    MAE 39 ms (seed 1). Measured now: left IC MAE 3.7-4.2 ms (max 11-12 ms), TO MAE 1.1-1.2
    ms, none missed or false, against the clean file's own events (no force data)."""
    ric = stridelab.read(data_dir / "ric/20140515T133244_run.c3d")
    static = stridelab.read(data_dir / "ric/20140515T133244_static.c3d")
    clean = events.from_segments(ric, static)
    noise = np.random.default_rng(seed).normal(0.0, 0.1e-3, ric.points.shape)
    noisy = events.from_segments(dataclasses.replace(ric, points=ric.points + noise), static)
    for side in ("L", "R"):

        def landmark(df: pl.DataFrame, side: str = side) -> str:
            ics = df.filter((pl.col("side") == side) & (pl.col("event") == "IC"))
            return str(ics["method"].mode()[0])

        assert landmark(noisy) == landmark(clean), side
    for kind, mae in (("IC", 5.0), ("TO", 2.0)):

        def times(df: pl.DataFrame, kind: str = kind) -> np.ndarray:
            sel = df.filter((pl.col("side") == "L") & (pl.col("event") == kind))
            return sel["time_s"].to_numpy()

        err, missed, false = _score(times(clean), times(noisy))
        assert (missed, false) == (0, 0), (kind, missed, false)
        assert np.abs(err).mean() <= mae, (kind, np.abs(err).mean())


def test_theia_poses_give_plausible_events(data_dir: Path) -> None:
    """The Theia3D export (foot and toes poses, 85 Hz, low-passed at 20 Hz by Theia: its
    THEIA3D:FILT_FREQ; 3.5 s in view) screens through the pose route: a heel behind the ankle
    and the MTP. No force data: events alternate, contacts last 0.15-0.40 s, every event has a
    quality. Measured: 6-7 ICs per foot, contacts 0.19-0.25 s, strides 0.48-0.59 s. The
    cadence (about 230 steps/min) is above the issue's 140-200 at the file's declared 85 Hz;
    the foot's travel gives the runner 4.5 m/s and 2.4 m strides at that rate, so the rate, not
    the events, decides it: checked here is that stride length over stride time is a running
    speed."""
    theia = stridelab.read(data_dir / "theia/pose_filt_2.c3d")
    found = events.from_segments(theia)
    assert events.check(found, theia.duration_s) == []
    assert found["quality"].is_between(0.0, 1.0).all()
    names = list(theia.rotation_names)
    for side in ("L", "R"):
        contacts, _ = _contacts_and_cadence(found, side)
        assert contacts.size >= 5, side
        assert np.mean((contacts >= 0.15) & (contacts <= 0.40)) >= 0.8, (side, contacts)
        ics = found.filter((pl.col("side") == side) & (pl.col("event") == "IC"))
        frames = ics["frame"].to_numpy()
        foot = theia.rotations[:, names.index(f"{side.lower()}_foot_4X4"), 0, 3]
        speed = np.diff(foot[frames + 5]) / np.diff(ics["time_s"].to_numpy())
        assert np.all((speed > 2.0) & (speed < 7.0)), (side, speed)


def _lowpassed(trial: Trial, cutoff_hz: float) -> Trial:
    """``trial`` as a lab would export it after a zero-lag 2nd-order Butterworth low-pass."""
    b, a = butter(2, cutoff_hz / (trial.point_rate_hz / 2.0))
    points = trial.points.copy()
    seen = np.isfinite(points).all(axis=(0, 2))
    points[:, seen] = filtfilt(b, a, points[:, seen], axis=0)
    return dataclasses.replace(trial, points=np.ascontiguousarray(points))


@pytest.mark.parametrize("cutoff_hz", [15.0, 20.0])
@pytest.mark.parametrize(
    ("name", "static_name"),
    [("RBDS001runT25markers.txt", "RBDS001static.txt"), ("RBDS001runT35.c3d", "RBDS001static.c3d")],
)
def test_lowpassed_clusters_keep_their_events(
    rbds: Path, name: str, static_name: str, cutoff_hz: float
) -> None:
    """Perturbed copies with known truth: RBDS001 low-passed at 15 or 20 Hz before the RIC
    layout (d) is built (the RIC file's markers look low-passed about there). Smoothing spreads
    the stop at touchdown; the segment route sees it in the cluster's own heights and gives a
    carried point longer to be seen standing. Without that, 2-24 events per side and event were
    missed. Measured: no miss, no false event, IC MAE 1.0-3.6 ms, TO MAE 1.6-6.9 ms; one or two
    right ICs at 3.5 m/s are 21-28 ms early."""
    trial = stridelab.read(rbds / name)
    static = stridelab.read(rbds / static_name)
    found = events.from_segments(*_ric_layout(_lowpassed(trial, cutoff_hz), static))
    errs = _errors(trial, found)
    _report(f"{name} low-passed {cutoff_hz:g} Hz (d)", errs)
    for (side, kind), (err, missed, false) in errs.items():
        assert missed == 0, (side, kind, missed)
        assert false == 0, (side, kind, false)
        assert np.abs(err).mean() <= (5.0 if kind == "IC" else 8.0), (side, kind)
        assert np.abs(err).max() <= 30.0, (side, kind)


@pytest.mark.parametrize("cutoff_hz", [15.0, 20.0])
def test_lowpassed_static_markers_say_less_rather_than_wrong(rbds: Path, cutoff_hz: float) -> None:
    """(b) on the low-passed copies: the static's own foot markers must stand within the marker
    detector's 25 ms (a longer window let a forefoot striker's heel, still descending, date IC
    20-40 ms early), so stances whose stop the smoothing spread give no event. Measured at
    3.5 m/s: 0 (20 Hz) and 5-14 (15 Hz) missed per side and event, IC MAE 1.2-1.7 ms, max
    5.7 ms (31.7 ms while the heel markers were timed by their velocity minimum)."""
    trial = stridelab.read(rbds / "RBDS001runT35.c3d")
    static = stridelab.read(rbds / "RBDS001static.c3d")
    found = events.from_segments(_keep(_lowpassed(trial, cutoff_hz), HEEL), static)
    errs = _errors(trial, found)
    _report(f"RBDS001runT35.c3d low-passed {cutoff_hz:g} Hz (b)", errs)
    for (side, kind), (err, missed, false) in errs.items():
        assert false == 0, (side, kind, false)
        assert missed <= 15, (side, kind, missed)
        assert np.abs(err).mean() <= (5.0 if kind == "IC" else 8.0), (side, kind)
        assert np.abs(err).max() <= 15.0, (side, kind)


def test_a_noisy_cluster_keeps_every_toe_off(rbds: Path) -> None:
    """RBDS001 at 2.5 m/s with 0.5 mm of noise on every marker (three to five times RBDS's
    own frame-to-frame jitter), route (b): the heel cluster's rotation noise reaches the MT
    heads carried 15-20 cm away as millimetres, and a carried point that rises through the
    15 mm level and falls back under it is not lifting. Lift is the rise past the level for
    good, so no toe-off is lost or invented. Measured over five seeds: none missed or false,
    TO MAE 3.6-8.7 ms, max 8.7-30.0 ms; with the first crossing (until 2026-12): 9 missed and
    9 false, max up to 52 ms."""
    trial = stridelab.read(rbds / "RBDS001runT25markers.txt")
    static = stridelab.read(rbds / "RBDS001static.txt")
    for seed in (3, 4, 5, 6, 7):
        noise = np.random.default_rng(seed).normal(0.0, 0.5e-3, trial.points.shape)
        noisy = dataclasses.replace(trial, points=trial.points + noise)
        errs = _errors(trial, events.from_segments(_keep(noisy, HEEL), static))
        for side in ("L", "R"):
            err, missed, false = errs[(side, "TO")]
            assert (missed, false) == (0, 0), (seed, side, missed, false)
            assert np.abs(err).max() <= 35.0, (seed, side, np.abs(err).max())


def test_a_second_runner_is_checked_against_the_full_marker_set(rbds: Path) -> None:
    """RBDS032 (no force data; both feet land on the heel by the full-marker detector): the
    segment routes against the full marker set of the same trial. Route (b), the heel
    cluster with the static's foot markers, and route (d), the RIC layout (a heel cluster, a
    sole placed from proportions and the cluster's own markers timed as markers), agree on
    both feet. The routes time the carried heel markers one by one (the earliest counts; the
    pose fit has already averaged the markers' noise), the full set times the shoe's three
    heel markers as one rigid body (their mean height), so the routes are a little earlier.
    Measured: IC bias -0.6 to -1.2 ms, MAE 0.6-1.2 ms, max 3.9-6.7 ms (a frame). When the
    full set also took the earliest heel marker (until 2026-12): MAE 0.1-0.8 ms, max 0.9-5.4.
    Until 2026-12 (b) lost 21 of 39 right stances (that heel slows in the air before it lands
    and was never seen standing within 25 ms of its fastest fall) and (d) 17-21 a side (its
    virtual heel keeps sinking as the rounded heel rolls); ``events.check`` warned."""
    trial = stridelab.read(rbds / "RBDS032runT35markers.txt")
    full = events.from_markers(trial)
    assert events.check(full, trial.duration_s) == []
    routes = _variants(rbds, "RBDS032runT35markers.txt", "RBDS032static.txt")

    def ics(df: pl.DataFrame, side: str) -> np.ndarray:
        return df.filter((pl.col("side") == side) & (pl.col("event") == "IC"))["time_s"].to_numpy()

    for route in ("b", "d"):
        found = routes[route]
        assert events.check(found, trial.duration_s) == [], route
        for side in ("L", "R"):
            err, missed, false = _score(ics(full, side), ics(found, side))
            assert (missed, false) == (0, 0), (route, side)
            assert np.abs(err).mean() <= 1.5, (route, side, np.abs(err).mean())
            assert np.abs(err).max() <= 10.0, (route, side, np.abs(err).max())


def test_cluster_labels_swapped_against_the_static_are_put_right(data_dir: Path) -> None:
    """A run whose left shoe-cluster labels are exchanged against the static (relabelled
    copies are one of the perturbations a held-out lab brings): the kinematics finds and
    fixes the swap, and the pipeline reads the events with the same labels, so the events
    equal those of the unswapped trial. Before, the swapped cluster still fitted (11 mm RMS,
    under the 15 mm gate) and carried its sole points wrongly: 2 extra left events."""
    from stridelab.pipeline import process

    ric = stridelab.read(data_dir / "ric/20140515T133244_run.c3d")
    static = stridelab.read(data_dir / "ric/20140515T133244_static.c3d")
    names = list(ric.marker_names)
    i, j = names.index("L_foot_1"), names.index("L_foot_3")
    names[i], names[j] = names[j], names[i]
    swapped = dataclasses.replace(ric, marker_names=tuple(names))
    plain = process(ric, static)
    fixed = process(swapped, static)
    assert any("L_foot_1 and L_foot_3 are swapped" in f for f in fixed.findings)
    assert fixed.events.height == plain.events.height
    np.testing.assert_allclose(
        fixed.events["time_s"].to_numpy(), plain.events["time_s"].to_numpy(), atol=1e-9
    )


def test_a_cluster_that_does_not_keep_its_static_shape_is_put_right_or_named(
    rbds: Path,
) -> None:
    """RBDS001's running trials have R.MT1 and R.MT5 swapped in every frame (the static has
    them right; data README). Forced through the segment route, the right foot's markers fitted
    their static shape in no frame ("a pose in 0 frames"). The route now runs the kinematics'
    swap check (model::qa: exchanging a pair must cut the median fit residual below half and
    below 5 mm): the pair is exchanged and `method` says so (45.9 -> 1.1 mm), and the events
    meet the issue's MAE limits against force (measured: IC and TO MAE 0.9-1.1 ms, max 4.3 ms).
    A marker knocked 4 cm since the static is no swap:
    the error names the file, the foot, its markers and the likely causes (reason
    ``calibration``)."""
    trial = stridelab.read(rbds / "RBDS001runT35.c3d")
    static = stridelab.read(rbds / "RBDS001static.c3d")
    found = events.from_segments(trial, static)
    right = found.filter(pl.col("side") == "R")["method"][0]
    assert "labels R.MT1 and R.MT5 swapped against the static trial, exchanged" in right
    for (side, kind), (err, missed, false) in _errors(trial, found).items():
        assert (missed, false) == (0, 0), (side, kind)
        assert np.abs(err).mean() <= (5.0 if kind == "IC" else 8.0), (side, kind)
    knocked = trial.points.copy()
    knocked[:, trial.marker_names.index("R.MT1"), 2] += 0.04
    with pytest.raises(DataError, match=r"R foot markers .*R\.MT1, R\.MT5 keep their static") as e:
        events.from_segments(dataclasses.replace(trial, points=knocked), static)
    assert "RBDS001runT35.c3d" in str(e.value)
    assert e.value.reason == "calibration"


def test_segment_events_put_swapped_cluster_labels_right_on_their_own(data_dir: Path) -> None:
    """`events.detect` / `stridelab events` without the kinematics: the RIC run with two left
    cluster labels exchanged gives the events of the unswapped run (before: 150 events instead
    of 148, the swapped cluster still fitting at 11 mm RMS)."""
    ric = stridelab.read(data_dir / "ric/20140515T133244_run.c3d")
    static = stridelab.read(data_dir / "ric/20140515T133244_static.c3d")
    names = list(ric.marker_names)
    i, j = names.index("L_foot_1"), names.index("L_foot_3")
    names[i], names[j] = names[j], names[i]
    plain = events.detect(ric, static=static)
    fixed = events.detect(dataclasses.replace(ric, marker_names=tuple(names)), static=static)
    assert fixed.height == plain.height
    np.testing.assert_allclose(fixed["time_s"].to_numpy(), plain["time_s"].to_numpy(), atol=1e-9)
    method = fixed.filter(pl.col("side") == "L")["method"][0]
    assert "swapped against the static trial, exchanged" in method


SHANK = [
    f"{s}.Shank.{a}.{b}" for s in "LR" for a in ("Top", "Bottom") for b in ("Lateral", "Medial")
]


@pytest.mark.parametrize(
    ("name", "static_name"),
    [
        ("RBDS001runT25markers.txt", "RBDS001static.txt"),
        ("RBDS001runT35.c3d", "RBDS001static.c3d"),
        ("RBDS032runT35markers.txt", "RBDS032static.txt"),
    ],
)
def test_a_heel_cluster_that_leaves_its_shank_is_flagged(
    rbds: Path, name: str, static_name: str
) -> None:
    """Route (b) with the shank cluster kept: on clean tracking the heel cluster keeps the ankle
    with the shank (the malleoli midpoint carried by both within 10-17 mm over whole trials),
    so nothing is flagged and every event is as without the shank. A tracking glitch put into
    one right landing by construction (the three heel markers carried 150 mm back and 100 mm
    up over 13 frames, ramped in and out as a lab's low-pass would leave it) halves the
    quality of the events read from those frames and leaves every event 0.2 s away as it was."""
    trial, static = stridelab.read(rbds / name), stridelab.read(rbds / static_name)
    plain = events.from_segments(_keep(trial, HEEL), static)
    with_shank = _keep(trial, HEEL + SHANK)
    assert_frame_equal(events.from_segments(with_shank, static), plain)
    for side in ("L", "R"):
        assert _ankle_gap_mm(trial, static, side, "Shank.", "Heel.").max() < 20.0

    ic = plain.filter((pl.col("side") == "R") & (pl.col("event") == "IC"))["time_s"][10]
    f0 = round(ic * trial.point_rate_hz)
    ramp = np.array([0.1, 0.3, 0.6, 1, 1, 1, 1, 1, 1, 1, 0.6, 0.3, 0.1])
    frames = np.arange(f0 - 9, f0 + 4)
    points = with_shank.points.copy()
    heel = [with_shank.marker_names.index(n) for n in HEEL if n.startswith("R")]
    for i in heel:
        points[frames, i] += ramp[:, None] * np.array([-0.15, 0.0, 0.10])
    glitched = events.from_segments(dataclasses.replace(with_shank, points=points), static)
    t0, t1 = frames[0] / trial.point_rate_hz, frames[-1] / trial.point_rate_hz
    near = (pl.col("time_s") > t0 - 0.05) & (pl.col("time_s") < t1 + 0.05)
    flagged = glitched.filter(near & (pl.col("side") == "R"))
    assert flagged.height >= 1
    assert (flagged["quality"] <= 0.5).all(), flagged
    far = (pl.col("time_s") < t0 - 0.2) | (pl.col("time_s") > t1 + 0.2)
    assert_frame_equal(glitched.filter(far), plain.filter(far))
