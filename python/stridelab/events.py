"""Gait events: initial contact (IC) and toe-off (TO) per side.

Every function returns a polars frame with the columns ``side`` (``L``/``R``), ``event``
(``IC``/``TO``), ``time_s`` (seconds from the first frame), ``frame`` (nearest marker frame),
``source`` (``force``, ``markers``, ``file``, ``imu``), ``method`` (what the event was read
from: ``force 50 N``, ``touchdown R.Heel.Bottom``, ``lift R.MT2``, ``file``, ``imu``) and
``quality`` (0–1: 1 for a force-plate contact; for marker events the share of three checks
passed, see ``docs/events.md``; NaN where the source gives none) and ``stride_id`` (``L0``,
``R12``…: the stride an event belongs to — the k-th IC of a foot starts stride k, a TO belongs
to the stride of the IC before it; the same id names the stride in the strides and metrics
tables; empty for a TO before the foot's first IC).

Force plates: the vertical force is low-passed (second-order zero-lag Butterworth, 30 Hz by
default) and crosses ``threshold_n`` (50 N by default) upward at IC and downward at TO; the
crossing is interpolated between samples. Contacts shorter than 80 ms are dropped and flights
shorter than 30 ms bridged, so sample jitter and a lab's zeroing of low force (RBDS zeroes
everything below 30 N) cannot split or invent a contact. On a plate under both feet
(instrumented treadmill) each contact goes to the foot whose markers are nearest the centre of
pressure in the middle half of the contact.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import polars as pl

from stridelab import _native
from stridelab._event_table import EVENT_SCHEMA
from stridelab._event_table import frame as _frame
from stridelab._event_table import timing_quality as _timing_quality
from stridelab.errors import DataError, data_error, in_file, reason_code
from stridelab.imu import ImuTrial, detect_events
from stridelab.io import Trial, label_words

__all__ = [
    "EVENT_SCHEMA",
    "agreement",
    "check",
    "detect",
    "from_file",
    "from_force",
    "from_markers",
    "from_segments",
]


def _trial_rate(trial: Trial) -> float:
    return trial.point_rate_hz or trial.rotation_rate_hz or 1.0


def from_force(
    trial: Trial,
    *,
    threshold_n: float = 50.0,
    lowpass_hz: float | None = 30.0,
    min_contact_s: float = 0.08,
    min_flight_s: float = 0.03,
) -> pl.DataFrame:
    """Events from every force plate of ``trial`` (see the module notes)."""
    if not trial.force_plates:
        raise data_error(f"{trial.path}: no force plate", "no_force_plate")
    rows: list[tuple[str, str, float]] = []
    flat = np.ascontiguousarray(trial.points.reshape(trial.points.shape[0], -1))
    for plate in trial.force_plates:
        try:
            rows += _native.force_events(
                flat,
                list(trial.marker_names),
                trial.point_rate_hz,
                np.ascontiguousarray(plate.force_n),
                np.ascontiguousarray(plate.cop_m),
                plate.rate_hz,
                threshold_n=threshold_n,
                lowpass_hz=lowpass_hz or 0.0,
                min_contact_s=min_contact_s,
                min_flight_s=min_flight_s,
            )
        except DataError as err:
            raise in_file(err, f"{trial.path}") from None
    return _frame(rows, _trial_rate(trial), "force", method=f"force {threshold_n:g} N", quality=1.0)


def from_markers(trial: Trial) -> pl.DataFrame:
    """Events from foot markers alone; works for rearfoot and forefoot strikers, overground and
    on treadmills. For Theia3D poses, the foot and toe segment origins serve as markers.

    Method (details in ``docs/events.md``): a foot marker touches down where its fall is stopped
    (where its vertical acceleration jumps, near the moment it reaches its lowest stance
    height; a shoe's heel markers are timed as one rigid body, by their mean height) and lifts
    when it rises 15 mm above its lowest stance height. One landmark per foot
    and trial: IC is the touchdown of the marker that stops first in most stances (the heel of
    a rearfoot striker, a metatarsal head of a forefoot striker), TO the lift of the marker that
    lifts last in most stances; ``method`` names them and ``quality`` grades each event. Only
    stances complete inside the recording give events.
    """
    if trial.n_markers:
        points, names = trial.points, list(trial.marker_names)
    elif trial.rotation_names:
        points = trial.rotations[:, :, :3, 3]
        names = list(trial.rotation_names)
    else:
        raise data_error(f"{trial.path}: no markers or segment poses", "missing_markers")
    flat = np.ascontiguousarray(points.reshape(points.shape[0], -1))
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    try:
        found, methods = _native.marker_events(flat, names, rate)
    except DataError as err:
        raise in_file(err, f"{trial.path}") from None
    landmark = {(side, "IC"): f"touchdown {ic}" for side, ic, _, _ in methods}
    landmark |= {(side, "TO"): f"lift {to}" for side, _, to, _ in methods}
    return _frame(
        [(r[0], r[1], r[2]) for r in found],
        _trial_rate(trial),
        "markers",
        method=[landmark[(r[0], r[1])] for r in found],
        quality=[r[3] for r in found],
    )


#: Duty factor (contact / stride time) above which a trial is walking (double support).
#: Running has flight phases, so its duty factor stays below 0.5.
WALKING_DUTY_FACTOR = 0.5


def from_zeni(trial: Trial) -> pl.DataFrame:
    """Events of a walking trial from the heel and toe relative to the pelvis (Zeni, Richards &
    Higginson 2008, Gait Posture 27:710): IC where the heel is furthest ahead of the pelvis
    along the direction of travel, TO where the toe is furthest behind it (published errors
    against force plates in walking: 16 ± 15 ms at heel strike, 9 ± 15 ms at toe-off). Needs no
    floor level, so it holds on sloped or unlevelled capture volumes; not for running (the heel
    leads the pelvis most in flight, before contact). ``quality`` is the mean of two checks:
    the strides on either side, and the contact, within 15 % of the side's median."""
    return _zeni(trial)[0]


def _zeni(trial: Trial) -> tuple[pl.DataFrame, float | None]:
    """Zeni's events and the pelvis's median rise in mid-contact, m (positive: walking)."""
    flat = np.ascontiguousarray(trial.points.reshape(trial.points.shape[0], -1))
    try:
        rows, vault_m = _native.zeni_events(flat, list(trial.marker_names), trial.point_rate_hz)
    except DataError as err:
        raise in_file(err, f"{trial.path}") from None
    quality = _timing_quality(rows)
    table = _frame(
        [(r[0], r[1], r[2]) for r in rows],
        _trial_rate(trial),
        "markers",
        method=[
            "Zeni 2008: heel furthest ahead of pelvis"
            if r[1] == "IC"
            else "Zeni 2008: toe furthest behind pelvis"
            for r in rows
        ],
        quality=quality,
    )
    return table, vault_m


def duty_factor(events: pl.DataFrame) -> float | None:
    """Median contact time over stride time (IC → TO → next IC of the same foot) of an events
    table; None without a complete stride. Above :data:`WALKING_DUTY_FACTOR` is walking."""
    ratios = []
    for side in ("L", "R"):
        seq = events.filter(pl.col("side") == side).sort("time_s")
        kinds, times = seq["event"].to_list(), seq["time_s"].to_list()
        for i in range(len(kinds) - 2):
            if kinds[i : i + 3] == ["IC", "TO", "IC"]:
                ratios.append((times[i + 1] - times[i]) / (times[i + 2] - times[i]))
    return float(np.median(ratios)) if ratios else None


# A foot cluster whose rigid fit leaves more than this RMS residual in a frame is not rigid
# there (a swapped or knocked marker); the same level as the kinematic model's clusters.
_MAX_CLUSTER_RMS_M = 0.015
_MALLEOLUS = {"ankle", "ank", "lank", "rank", "mal", "malleolus", "lmal", "rmal"}
_TROCHANTER = {"gtr", "troch", "trochanter", "hip"}


def _side_of(label: str, side: str) -> bool:
    t = label_words(label)
    return side.lower() in t or {"L": "left", "R": "right"}[side] in t


def _foot_pose_index(trial: Trial, side: str, word: str = "foot") -> int | None:
    """Index of this side's segment pose named ``word`` (``l_foot_4X4``, ``LeftFoot``…)."""
    for i, name in enumerate(trial.rotation_names):
        low = name.lower()
        t = label_words(name)
        if (word in t and _side_of(name, side)) or low.startswith(
            {"L": "left", "R": "right"}[side] + word
        ):
            return i
    return None


def _mean_pose(rot: np.ndarray) -> np.ndarray | None:
    """The pose of a static trial: its first frame with a finite pose."""
    ok = np.isfinite(rot[:, :3, 3]).all(axis=1)
    return rot[np.argmax(ok)] if ok.any() else None


def _static_point(static: Trial, name: str) -> np.ndarray:
    point: np.ndarray = np.nanmean(static.marker(name), axis=0)
    return point


def _foot_segment(
    trial: Trial, static: Trial | None, side: str
) -> tuple[np.ndarray, np.ndarray, list[str], str, np.ndarray | None, list[str]]:
    """This foot's poses (frames, 4, 4), points in the segment frame (k, 3), their names, what
    the segment is, and, where the points are on the sole (placed from the static's malleoli or
    the pose's geometry), a point of the tracked body (the pose's origin, the cluster's
    centroid) whose height shows whether the data were low-passed; None for the static's own
    foot markers, which must stand within the marker detector's 25 ms whatever the filtering
    (see ``docs/events.md``); last, per point, how its touchdown is timed: ``rearfoot`` for a
    heel marker of the static on the tracked rearfoot (the marker route's change-point fit and
    its 25 ms standing test), ``cluster`` for a marker of a heel-counter cluster next to its
    virtual sole (the same, left out of the coarse stances), ``carried`` for a point carried
    across the foot (velocity minimum).
    Raises :class:`DataError` naming what is missing."""
    roles = dict(
        zip(trial.marker_names, _native.foot_label_roles(list(trial.marker_names)), strict=True)
    )
    cluster = [n for n, (s, r) in roles.items() if s == side and r]
    pose_i = _foot_pose_index(trial, side)
    static_roles = (
        dict(
            zip(
                static.marker_names,
                _native.foot_label_roles(list(static.marker_names)),
                strict=True,
            )
        )
        if static is not None
        else {}
    )
    landmarks = [n for n, (s, r) in static_roles.items() if s == side and r in ("heel", "forefoot")]
    timing = ["rearfoot" if static_roles[n][1] == "heel" else "carried" for n in landmarks]
    if pose_i is not None:
        poses = np.ascontiguousarray(trial.rotations[:, pose_i])
        what = f"segment pose {trial.rotation_names[pose_i]}"
        static_pose = None
        if static is not None and trial.rotation_names[pose_i] in static.rotation_names:
            j = static.rotation_names.index(trial.rotation_names[pose_i])
            static_pose = _mean_pose(static.rotations[:, j])
        if static is not None and static_pose is not None and landmarks:
            rot, origin = static_pose[:3, :3], static_pose[:3, 3]
            pts = np.array([rot.T @ (_static_point(static, n) - origin) for n in landmarks])
            return (
                poses,
                pts,
                landmarks,
                what + " with the static trial's foot markers",
                None,
                timing,
            )
        # the pose's own geometry (Theia3D: the foot's origin is the ankle joint centre, the
        # toes' origin the metatarsophalangeal joint): the MTP, and a heel behind the ankle by
        # model::sole::HEEL_PER_ANKLE_TO_MTP of the ankle-to-MTP distance, at the MTP's depth
        toes_i = _foot_pose_index(trial, side, "toes")
        rel = np.full((1, 3), np.nan)
        if toes_i is not None:
            toes = trial.rotations[:, toes_i, :3, 3]
            rel = np.einsum("nji,nj->ni", poses[:, :3, :3], toes - poses[:, :3, 3])
        if not np.isfinite(rel).any():
            raise DataError(
                f"{trial.path}: the {side} foot pose has no toes segment and no static trial: "
                "nothing locates its heel and forefoot"
            )
        mtp = np.nanmedian(rel, axis=0)
        # the foot's long axis: the ankle-to-MTP direction with its depth removed, the depth
        # taken along the foot frame's axis closest to the vertical in the median frame
        up = int(np.argmax(np.abs(np.nanmedian(poses[:, 2, :3], axis=0))))
        heel = np.array(_native.heel_from_mtp((float(mtp[0]), float(mtp[1]), float(mtp[2])), up))
        names = [
            f"{side} heel (virtual, behind {trial.rotation_names[pose_i]} origin)",
            f"{trial.rotation_names[toes_i]} origin",  # type: ignore[index]
        ]
        return poses, np.array([heel, mtp]), names, what, np.zeros(3), ["carried", "carried"]
    if len(cluster) < 3:
        raise DataError(
            f"{trial.path}: the {side} foot has no segment pose and {len(cluster)} foot "
            "markers; events from a foot segment need a pose or a cluster of three or more"
        )
    if static is None:
        raise DataError(
            f"{trial.path}: events from the {side} foot's cluster ({', '.join(cluster)}) need "
            "its static trial (static=...) to carry the heel and forefoot with it"
        )
    # a cluster marker lost in the static (or never seen there): the others still define the
    # rigid segment if three remain
    missing = [
        n
        for n in cluster
        if n not in static.marker_names or not np.isfinite(_static_point(static, n)).all()
    ]
    if len(cluster) - len(missing) < 3:
        raise DataError(
            f"{static.path}: the static trial lacks the {side} foot markers {', '.join(missing)}"
            f" (a foot cluster needs three of {', '.join(cluster)} in the static trial)"
        )
    cluster = [n for n in cluster if n not in missing]
    local = np.array([_static_point(static, n) for n in cluster], dtype=np.float64)
    idx = [trial.marker_names.index(n) for n in cluster]
    markers = np.ascontiguousarray(trial.points[:, idx])  # (frames, k, 3), a copy
    flat = markers.reshape(trial.n_frames, -1)  # a view of that copy
    # two of the cluster's labels exchanged against the static (the kinematics' own check,
    # model::qa): read each marker as the static has it
    swap = _native.cluster_swap(local, flat)
    swapped = ""
    if swap is not None:
        a, b, before, after = swap
        markers[:, [a, b]] = markers[:, [b, a]]
        swapped = (
            f" (labels {cluster[a]} and {cluster[b]} swapped against the static trial, "
            f"exchanged: fit residual {before:.1f} -> {after:.1f} mm)"
        )
    rows = _native.cluster_poses(local, flat, _MAX_CLUSTER_RMS_M)
    poses = rows.reshape(-1, 4, 4)
    seen = np.isfinite(flat).all(axis=1)
    fitted = np.isfinite(rows[:, 0])
    if seen.sum() >= _trial_rate(trial) and fitted.sum() < 0.5 * seen.sum():
        # the markers are there but do not keep their static shape: say why, by name
        raise data_error(
            f"{trial.path}: the {side} foot markers {', '.join(cluster)} keep their static "
            f"shape (fit residual under {_MAX_CLUSTER_RMS_M * 1000:.0f} mm RMS) in "
            f"{int(fitted.sum())} of the {int(seen.sum())} frames where all are seen: labels "
            "swapped against the static trial, markers moved since it, or another runner's "
            "static",
            "calibration",
        )
    what = (
        f"foot cluster {', '.join(cluster)}"
        + (f" ({', '.join(missing)} not in the static trial)" if missing else "")
        + swapped
    )
    # the pose maps the static lab frame onto each frame, so static positions are local points
    centroid = local.mean(axis=0)
    if landmarks:
        pts = np.array([_static_point(static, n) for n in landmarks])
        what += " with the static trial's foot markers"
        return poses, pts, landmarks, what, None, timing
    pts, names = _sole_from_static(static, side, local)
    # the cluster's own markers too, timed as markers (they sit on the heel counter: on a
    # rearfoot landing they stop with the heel, while the virtual sole points, placed from
    # proportions, keep sinking as the rounded heel rolls; see docs/events.md)
    return (
        poses,
        np.vstack([pts, local]),
        [*names, *cluster],
        what + " with a sole from the static",
        centroid,
        ["carried"] * len(pts) + ["cluster"] * len(cluster),
    )


def _sole_from_static(
    static: Trial, side: str, cluster: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Virtual sole points of a foot whose static trial has no heel or forefoot marker (the
    Running Injury Clinic's shoe cluster), placed by the core's ``model::sole`` — the same sole
    the kinematic model takes its heel and toe from (see ``docs/events.md``). This finds the
    static's malleoli and trochanter by their labels."""
    names = [n for n in static.marker_names if _side_of(n, side)]
    mall = [n for n in names if label_words(n) & _MALLEOLUS]
    troch = [n for n in names if label_words(n) & _TROCHANTER]
    if len(mall) < 2 or not troch:
        raise DataError(
            f"{static.path}: the {side} foot has no heel or forefoot marker, and the static "
            f"trial needs both malleoli and a trochanter marker to place them (found "
            f"malleoli {mall or 'none'}, trochanter {troch or 'none'})"
        )
    a, b = (_static_point(static, n) for n in mall[:2])
    t = _static_point(static, troch[0])
    try:
        pts, labels = _native.sole_points(
            (float(a[0]), float(a[1]), float(a[2])),
            (float(b[0]), float(b[1]), float(b[2])),
            (float(t[0]), float(t[1]), float(t[2])),
            np.ascontiguousarray(cluster, dtype=np.float64),
            side,
        )
    except DataError as err:
        raise in_file(err, f"{static.path}: {side} foot") from None
    return pts, labels


_SHANK = {"shank", "tibia", "tib"}
# An event with a frame within this of one where the foot's pose left its shank was read (in
# part) from frames that are not the foot: the reach of the touchdown search and fit before a
# landing (40 ms and the fit's frames) and of the standing test after it (25 ms).
_BROKEN_REACH_S = 0.05


def _leaves_its_shank(
    trial: Trial, static: Trial | None, side: str, poses: np.ndarray
) -> np.ndarray | None:
    """Per frame, whether this foot's pose (frames, 4, 4; mapping the static onto each frame)
    has left its shank: the ankle (the static's malleoli, their midpoint where both are
    labelled) carried by the foot and by the shank's own cluster lie more than
    ``MAX_JOINT_GAP_M`` apart (the core's ``events::segment::joint_breaks``). None where there
    is nothing to compare: no static, no shank cluster of three markers in both trials, no
    malleolus in the static."""
    if static is None:
        return None
    shank = [
        n
        for n in trial.marker_names
        if _side_of(n, side)
        and label_words(n) & _SHANK
        and n in static.marker_names
        and np.isfinite(_static_point(static, n)).all()
    ]
    mall = [
        n
        for n in static.marker_names
        if _side_of(n, side)
        and label_words(n) & _MALLEOLUS
        and np.isfinite(_static_point(static, n)).all()
    ]
    if len(shank) < 3 or not mall:
        return None
    local = np.array([_static_point(static, n) for n in shank], dtype=np.float64)
    idx = [trial.marker_names.index(n) for n in shank]
    flat = np.ascontiguousarray(trial.points[:, idx].reshape(trial.n_frames, -1))
    shank_poses = _native.cluster_poses(local, flat, _MAX_CLUSTER_RMS_M)
    ankle = np.mean([_static_point(static, n) for n in mall[:2]], axis=0)
    broken: np.ndarray = _native.joint_breaks(
        np.ascontiguousarray(poses.reshape(poses.shape[0], 16), dtype=np.float64),
        shank_poses,
        (float(ankle[0]), float(ankle[1]), float(ankle[2])),
    )
    return broken


def from_segments(trial: Trial, static: Trial | None = None) -> pl.DataFrame:
    """Events from a tracked foot segment: a rigid cluster on the shoe or heel (Running Injury
    Clinic shoe markers; RBDS heel markers) or a segment pose per frame (Theia3D ``l_foot``).

    Points of the foot located once in the segment's frame are carried into every frame by its
    pose (the calibrated anatomical system technique, Cappozzo et al. 1995) and read by the
    marker detector (:func:`from_markers`). The points are, in order of preference: the static
    trial's heel, metatarsal and toe markers; for a cluster whose static has none, virtual sole
    points from the heel to the toe (foot length from Drillis & Contini's proportions of leg
    length) with the cluster's own markers (on the heel counter, timed as markers); for a pose
    without a static, the foot's origin and the toes segment's origin.
    ``method`` names the point and the segment, e.g. ``touchdown L sole 80 % (virtual) on foot
    cluster L_foot_1, …``. Where the trial also has the shank's cluster and the static a
    malleolus, an event within 50 ms of a frame where the foot's pose left its shank (the
    ankle carried by each more than 35 mm apart: a tracking glitch) has half its quality.
    """
    rate = _trial_rate(trial)
    rows: list[tuple[str, str, float]] = []
    methods: list[str] = []
    quality: list[float] = []
    for side in ("L", "R"):
        poses, pts, names, what, probe, timing = _foot_segment(trial, static, side)
        flat = np.ascontiguousarray(poses.reshape(poses.shape[0], 16), dtype=np.float64)
        try:
            found, ic_k, to_k, _share = _native.segment_events(
                flat,
                np.ascontiguousarray(pts, dtype=np.float64),
                None if probe is None else (float(probe[0]), float(probe[1]), float(probe[2])),
                rate,
                timing,
            )
        except DataError as err:
            raise in_file(err, f"{trial.path}: {side} foot ({what})") from None
        broken = _leaves_its_shank(trial, static, side, poses)
        broken_s = (
            np.flatnonzero(broken) / rate if broken is not None else np.empty(0, dtype=np.float64)
        )
        for kind, t, q in found:
            k = ic_k if kind == "IC" else to_k
            verb = "touchdown" if kind == "IC" else "lift"
            rows.append((side, kind, t))
            methods.append(f"{verb} {names[k] if k is not None else '?'} on {what}")
            # read from frames where the foot was not tracked: half the trust
            near = broken_s.size and np.abs(broken_s - t).min() <= _BROKEN_REACH_S
            quality.append(0.5 * q if near else q)
    return _frame(rows, rate, "segment", method=methods, quality=quality)


def from_file(trial: Trial) -> pl.DataFrame:
    """Foot strike / foot off events stored in the file (C3D EVENT group)."""
    ev = trial.events.filter(pl.col("side").is_not_null() & pl.col("event").is_not_null())
    rows = [(r["side"], r["event"], r["time_s"]) for r in ev.iter_rows(named=True)]
    return _frame(rows, _trial_rate(trial), "file", method="file")


def detect(
    trial: Trial | ImuTrial,
    *,
    source: Literal["auto", "force", "markers", "file", "segments"] = "auto",
    threshold_n: float = 50.0,
    lowpass_hz: float | None = 30.0,
    static: Trial | None = None,
) -> pl.DataFrame:
    """IC and TO events of ``trial``.

    ``source="auto"`` uses force plates when the trial has them, else foot events stored in the
    file, else the foot markers, else (feet without heel and forefoot markers: a shoe cluster, a
    pose) the foot segment with ``static``; the ``source`` column says which was used.
    ``"segments"`` reads a tracked foot segment (shoe cluster or pose, :func:`from_segments`;
    ``static`` locates its heel and forefoot). An IMU recording
    (:class:`stridelab.imu.ImuTrial`) gives ``source="imu"`` events whatever ``source`` says.
    """
    if isinstance(trial, ImuTrial):
        return detect_events(trial)
    if source == "force" or (source == "auto" and trial.force_plates):
        return from_force(trial, threshold_n=threshold_n, lowpass_hz=lowpass_hz)
    if source == "markers":
        return from_markers(trial)
    if source == "segments":
        return from_segments(trial, static)
    found = from_file(trial)
    if source == "file" or found.height:
        return found
    walking = _walking_events(trial)
    if walking is not None:
        return walking
    try:
        return from_markers(trial)
    except DataError as markers_err:
        # feet tracked as a shoe cluster or a pose: the segment route, or both reasons
        try:
            return from_segments(trial, static)
        except DataError as segments_err:
            raise data_error(
                f"{markers_err}; from the foot segment: {segments_err}", reason_code(markers_err)
            ) from None


def _walking_events(trial: Trial) -> pl.DataFrame | None:
    """Zeni's events where the trial is walking, else None: the touchdown detector is built
    and validated for running, Zeni's method for walking. Walking is told from running by the
    mechanics (the pelvis highest in mid-contact: vaulting, Cavagna et al. 1977), not by these
    events' duty factor — Zeni's errors in running make contacts look long (0.53–0.56 on the
    RBDS runs)."""
    if not trial.n_markers:
        return None
    try:
        found, vault_m = _zeni(trial)
    except DataError:
        return None
    return found if vault_m is not None and vault_m > 0 else None


def _match(ref: np.ndarray, est: np.ndarray, match_s: float) -> tuple[np.ndarray, int, int]:
    """Signed errors (ms, estimate − reference) of the estimates nearest each reference time
    within ``match_s``, the reference times with none (missed), and the estimates with no
    reference time within ``match_s`` (false)."""
    errors, missed = [], 0
    for r in ref:
        d = est - r
        if d.size and np.min(np.abs(d)) < match_s:
            errors.append(d[np.argmin(np.abs(d))] * 1000.0)
        else:
            missed += 1
    false = sum(1 for e in est if ref.size == 0 or np.min(np.abs(ref - e)) >= match_s)
    return np.array(errors), missed, false


def agreement(
    reference: pl.DataFrame, estimate: pl.DataFrame, match_s: float = 0.060
) -> pl.DataFrame:
    """How far the events of ``estimate`` lie from those of ``reference`` (force-plate events,
    say, against marker events of the same trial), per side and event.

    Each reference event is matched to the nearest estimate of the same side and event within
    ``match_s`` (60 ms: under a third of a running contact). One row per ``side`` and ``event``
    present in either table: ``n`` matched, ``missed`` (reference events with no estimate),
    ``false`` (estimates with no reference event), and over the matched pairs the signed error
    estimate − reference: ``bias_ms``, ``mae_ms``, ``max_abs_ms`` (NaN when none matched)."""
    rows = []
    keys = pl.concat([reference.select("side", "event"), estimate.select("side", "event")])
    for side, kind in sorted(set(keys.iter_rows())):

        def times(df: pl.DataFrame, side: str = side, kind: str = kind) -> np.ndarray:
            sel = df.filter((pl.col("side") == side) & (pl.col("event") == kind))
            return sel["time_s"].to_numpy()

        err, missed, false = _match(times(reference), times(estimate), match_s)
        rows.append(
            {
                "side": side,
                "event": kind,
                "n": err.size,
                "missed": missed,
                "false": false,
                "bias_ms": float(err.mean()) if err.size else float("nan"),
                "mae_ms": float(np.abs(err).mean()) if err.size else float("nan"),
                "max_abs_ms": float(np.abs(err).max()) if err.size else float("nan"),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "side": pl.String,
            "event": pl.String,
            "n": pl.Int64,
            "missed": pl.Int64,
            "false": pl.Int64,
            "bias_ms": pl.Float64,
            "mae_ms": pl.Float64,
            "max_abs_ms": pl.Float64,
        },
    )


def check(events: pl.DataFrame, duration_s: float | None = None) -> list[str]:
    """Plausibility of an events table, as warnings (empty when it is plausible): each side
    has at least three ICs; ICs alternate between the feet; each IC is followed by that foot's
    TO before its next IC; strides last 0.4–2.0 s (running and walking); contacts (IC to the
    foot's TO) last 0.08–1.5 s in at least 90 % of strides."""
    out: list[str] = []
    ics = events.filter(pl.col("event") == "IC").sort("time_s")
    # the feet: L and R, or A and B where a sensor cannot tell left from right
    feet = sorted(set(events["side"].to_list())) if events.height else ["L", "R"]
    feet = feet if len(feet) == 2 else ["L", "R"]
    for side in feet:
        n = ics.filter(pl.col("side") == side).height
        if n < 3:
            out.append(f"only {n} initial contact(s) of the {side} foot: too few for strides")
    sides = ics["side"].to_list()
    repeats = sum(1 for a, b in itertools.pairwise(sides) if a == b)
    if sides and repeats > 0.1 * len(sides):
        out.append(
            f"initial contacts do not alternate between the feet ({repeats} of {len(sides) - 1} "
            "consecutive pairs on the same side): missed or false events"
        )
    for side in feet:
        foot = events.filter(pl.col("side") == side).sort("time_s")["event"].to_list()
        bad = sum(1 for a, b in itertools.pairwise(foot) if a == b)
        if bad:
            out.append(f"{side} foot: {bad} IC/TO out of order (two ICs or two TOs in a row)")
        t = ics.filter(pl.col("side") == side)["time_s"].to_numpy()
        if t.size > 2:
            stride = float(np.median(np.diff(t)))
            if not 0.4 <= stride <= 2.0:
                out.append(f"{side} foot: median stride {stride:.2f} s is outside 0.4-2.0 s")
        # contact: from each IC to the foot's next TO; under 80 ms is not a foot contact (the
        # force detector's shortest contact), over 1.5 s is standing
        seq = events.filter(pl.col("side") == side).sort("time_s")
        kinds, times = seq["event"].to_list(), seq["time_s"].to_numpy()
        contacts = [
            times[i + 1] - times[i]
            for i in range(len(kinds) - 1)
            if kinds[i] == "IC" and kinds[i + 1] == "TO"
        ]
        odd = [c for c in contacts if not 0.08 <= c <= 1.5]
        if contacts and len(odd) > 0.1 * len(contacts):
            out.append(
                f"{side} foot: {len(odd)} of {len(contacts)} contacts last under 0.08 s or over "
                f"1.5 s (median {np.median(contacts):.3f} s): IC or TO misplaced"
            )
    if duration_s and ics.height == 0:
        out.append(f"no initial contact in {duration_s:.1f} s")
    return out
