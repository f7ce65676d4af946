"""Calibrated 3D kinematics: joint angles (hip, knee, ankle; three Cardan angles each, per side)
and segment angles against the lab (pelvis, trunk, shank, foot).

Model (ISB axes in every segment: X anterior, Y superior, Z right; Cardan sequence Z-X-Y of the
distal segment relative to the proximal one). Sign conventions, stated once:

- hip and knee: flexion +, adduction +, internal rotation +;
- ankle: dorsiflexion +, inversion +, internal rotation (toe-in) +;
- pelvis against the lab: anterior tilt +, obliquity with that side up +, rotation with that side
  forward +; trunk: forward lean +, lean toward that side +, that side forward +;
- shank angle: + when the ankle is ahead of the knee (sagittal, against the vertical);
- foot angle: + when the toes are up (against the floor; 0 when standing for the default foot).

The defaults are published definitions (``docs/kinematics.md`` gives each source): hip centres
by the greater-trochanter method (Weinhandl & O'Connor 2010) where trochanters exist, else the
Harrington regression; a pelvis from the hip centres to the iliac crests (ASIS/PSIS without
crests); the ISB femur with its flexion axis through the epicondyles (Grood & Suntay 1983); the
ISB tibia, turned onto the knee axis for the knee's angles (proximal tibia); a foot level with
the floor in standing. Every trial's knees are checked for flexion–adduction crosstalk.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab.errors import DataError
from stridelab.io import Trial
from stridelab.io import read_mot as read_mot_table

__all__ = [
    "ANGLE_COLUMNS",
    "CROSSTALK_SCHEMA",
    "RBDS_PROCESSED_ANGLES",
    "Kinematics",
    "compute",
    "fill_rigid",
    "from_mot",
    "relabel",
    "warnings",
]

FloatArray = npt.NDArray[np.float64]

#: Angle columns of :attr:`Kinematics.angles`, in degrees, as the core computes them.
ANGLE_COLUMNS: tuple[str, ...] = tuple(_native.ANGLE_COLUMNS)

#: stridelab's joint angles and the columns of the Running Biomechanics Data Set's processed
#: files (the lab's Visual3D curves, ``RBDSnnnprocessed.txt``: side prefix ``R``/``L`` and the
#: speed suffix added) that hold the same angle (docs/visual3d.md compares them).
RBDS_PROCESSED_ANGLES: tuple[tuple[str, str], ...] = (
    ("hip_flexion_deg", "hipAngZ"),
    ("hip_adduction_deg", "hipAngX"),
    ("hip_rotation_deg", "hipAngY"),
    ("knee_flexion_deg", "kneeAngZ"),
    ("knee_adduction_deg", "kneeAngX"),
    ("knee_rotation_deg", "kneeAngY"),
    ("ankle_dorsiflexion_deg", "ankleAngZ"),
    ("ankle_inversion_deg", "ankleAngX"),
    ("ankle_rotation_deg", "ankleAngY"),
)
#: One row of angles per side (:attr:`Kinematics.static_angles`).
_SIDE_ANGLES_SCHEMA = {"side": pl.String, **dict.fromkeys(ANGLE_COLUMNS, pl.Float64)}

_PRESETS = {
    "rbds": "rbds",
    "ric": "ric",
    "plugin_gait_lower": "plugin_gait",
    "plugin_gait_full": "plugin_gait",
    "plugin_gait": "plugin_gait",
    "opencap": "opencap",
}

#: Marker sets whose anatomical landmarks (and hip centres) are tracked in every frame, so each
#: frame's segments are built from its own landmarks and no static trial is needed (OpenCap's
#: augmented ``_study`` markers, Uhlrich et al. 2023).
TRACKED_LANDMARK_SETS = frozenset({"opencap"})


class Kinematics:
    """Angles and landmark trajectories of one trial.

    Attributes
    ----------
    angles : polars frame, one row per frame and side: ``frame, time_s, side`` and
        :data:`ANGLE_COLUMNS` (degrees; NaN where a segment is not tracked).
    landmarks : name → (frames, 3) lab positions in m: ``L_hjc``, ``R_kjc``, ``L_ajc``,
        ``R_toe``, ``R_heel``, ``pelvis_origin`` …
    swaps : labels found exchanged relative to the static trial (and fixed unless asked not to).
    notes : what the calibration decided, and QA warnings (crosstalk).
    model : ``"rbds"``, ``"ric"`` or ``"theia"``.
    crosstalk : knee flexion–adduction crosstalk QA, one row per side:
        ``side, knee_adduction_on_flexion_slope, knee_adduction_flexion_r,
        knee_axis_misalignment_deg, frames, crosstalk_flagged`` (see ``docs/kinematics.md``;
        flagged when the estimated axis misalignment is ≥ 5° and |r| ≥ 0.5).
    static_angles : the static trial's mean angles per side (``side`` and
        :data:`ANGLE_COLUMNS`): the standing posture the model measures, never zeroed away.
    """

    def __init__(
        self,
        angles: pl.DataFrame | None,
        landmarks: dict[str, FloatArray],
        swaps: pl.DataFrame,
        notes: tuple[str, ...],
        model: str,
        *,
        core_arrays: dict[str, FloatArray] | None = None,
        rate_hz: float | None = None,
        crosstalk: pl.DataFrame | None = None,
        static_angles: pl.DataFrame | None = None,
    ) -> None:
        if angles is None and (core_arrays is None or rate_hz is None):
            raise ValueError("Kinematics needs an angles table, or core arrays and a rate")
        self._angles = angles
        self.landmarks = landmarks
        self.swaps = swaps
        self.notes = notes
        self.model = model
        #: frames × :data:`ANGLE_COLUMNS` per side as the core returned them (None when built
        #: from a table)
        self.core_arrays = core_arrays if angles is None else None
        self._rate_hz = rate_hz
        #: values derived from this trial once and reused (standing measures of a static trial)
        self.memo: dict[str, object] = {}
        self.crosstalk = (
            crosstalk if crosstalk is not None else pl.DataFrame(schema=CROSSTALK_SCHEMA)
        )
        self.static_angles = (
            static_angles if static_angles is not None else pl.DataFrame(schema=_SIDE_ANGLES_SCHEMA)
        )

    def __repr__(self) -> str:
        n = next(iter(self.core_arrays.values())).shape[0] if self.core_arrays else None
        frames = n if n is not None else self.angles.height // 2
        return f"Kinematics(model={self.model!r}, frames={frames}, landmarks={len(self.landmarks)})"

    @property
    def angles(self) -> pl.DataFrame:
        """One row per frame and side: ``frame, time_s, side`` and :data:`ANGLE_COLUMNS`
        (built from the core's arrays on first use)."""
        if self._angles is None:
            assert self.core_arrays is not None
            assert self._rate_hz is not None
            n = next(iter(self.core_arrays.values())).shape[0]
            self._angles = _angles_table(self.core_arrays, np.arange(n) / self._rate_hz)
        return self._angles

    def side(self, side: Literal["L", "R"]) -> pl.DataFrame:
        """The angles of one side."""
        return self.angles.filter(pl.col("side") == side)

    @cached_property
    def _by_side(self) -> dict[str, dict[str, FloatArray]]:
        if self.core_arrays is not None:
            return {
                s: {c: m[:, j] for j, c in enumerate(ANGLE_COLUMNS)}
                for s, m in self.core_arrays.items()
            }
        side = self.angles["side"].to_numpy()
        frame = self.angles["frame"].to_numpy()
        numeric = [c for c, t in self.angles.schema.items() if t.is_numeric()]
        values = {c: self.angles[c].to_numpy() for c in numeric}
        out: dict[str, dict[str, FloatArray]] = {"L": {}, "R": {}}
        for s in out:
            idx = np.flatnonzero(side == s)
            if idx.size == 0:
                continue
            idx = idx[np.argsort(frame[idx], kind="stable")]
            out[s] = {c: v[idx] for c, v in values.items()}
        return out

    def angle_matrix(self, side: Literal["L", "R"]) -> FloatArray:
        """frames × :data:`ANGLE_COLUMNS` of one side (NaN for a column the table lacks)."""
        if self.core_arrays is not None:
            return self.core_arrays[side]
        arrays = self.side_arrays(side)
        n = next((v.shape[0] for v in arrays.values()), 0)
        if n == 0:
            return np.empty((0, len(ANGLE_COLUMNS)))
        return np.column_stack(
            [arrays.get(c, np.full(n, np.nan)).astype(np.float64) for c in ANGLE_COLUMNS]
        )

    def side_arrays(self, side: Literal["L", "R"]) -> dict[str, FloatArray]:
        """The angle columns of one side as arrays indexed by frame (computed once)."""
        return self._by_side[side]


#: words of the kinematics notes that are warnings (the rest say what the model decided)
_WARNING_WORDS = ("crosstalk", "swapped", "not rigid", "this runner's")


#: OpenSim coordinate (``{s}`` = ``r``/``l``) → stridelab angle column. The coordinates of the
#: Rajagopal 2016 / Lai–Arnold 2017 models (OpenCap's) share stridelab's signs: hip flexion,
#: adduction and internal rotation +, knee flexion +, ankle dorsiflexion + (Delp et al. 2007;
#: Rajagopal et al. 2016). Not mapped: knee adduction/rotation (not coordinates of these models),
#: ``subtalar_angle`` (a rotation about the oblique subtalar axis, not the Cardan inversion of
#: the foot on the shank), pelvis and lumbar angles (lab-frame sequences whose meaning depends on
#: the walkway's direction in OpenSim's ground frame).
MOT_COORDINATES: dict[str, str] = {
    "hip_flexion_{s}": "hip_flexion_deg",
    "hip_adduction_{s}": "hip_adduction_deg",
    "hip_rotation_{s}": "hip_rotation_deg",
    "knee_angle_{s}": "knee_flexion_deg",
    "ankle_angle_{s}": "ankle_dorsiflexion_deg",
}


def from_mot(
    path: str | os.PathLike[str],
    *,
    in_degrees: bool | None = None,
    knee_flexion_sign: Literal[1, -1] = 1,
) -> pl.DataFrame:
    """Joint angles from an OpenSim inverse-kinematics file, in the layout of
    :attr:`Kinematics.angles` (``frame, time_s, side`` and :data:`ANGLE_COLUMNS`; NaN for the
    angles the file does not give, see :data:`MOT_COORDINATES`).

    ``knee_flexion_sign=-1`` reads models whose ``knee_angle`` is negative in flexion (gait2392,
    Hamner 2010). A knee that is extended past −5° for most of a trial is not plausible for
    running, walking or squatting, so such a file read with the default sign is refused with that
    reason rather than returned with the knee's sign inverted.

    Raises
    ------
    stridelab.errors.DataError
        No coordinate of either side's hip, knee or ankle, or the knee sign above.
    """
    return _angles_from_mot(read_mot_table(path, in_degrees=in_degrees), path, knee_flexion_sign)


def mot_kinematics(
    path: str | os.PathLike[str],
    *,
    in_degrees: bool | None = None,
    knee_flexion_sign: Literal[1, -1] = 1,
) -> Kinematics:
    """:func:`from_mot` as a :class:`Kinematics` (model ``"opensim"``), for the stages that take
    one (the deep squat screen). Its only landmark is ``pelvis_origin`` from the pelvis
    translations (``pelvis_tx, pelvis_tz`` horizontal, ``pelvis_ty`` up in OpenSim's ground),
    when the file has them; there are no joint-centre or foot landmarks, and no standing trial."""
    raw = read_mot_table(path, in_degrees=in_degrees)
    angles = _angles_from_mot(raw, path, knee_flexion_sign)
    landmarks: dict[str, FloatArray] = {}
    if all(c in raw.columns for c in ("pelvis_tx", "pelvis_ty", "pelvis_tz")):
        landmarks["pelvis_origin"] = np.column_stack(
            [raw[c].cast(pl.Float64).to_numpy() for c in ("pelvis_tx", "pelvis_tz", "pelvis_ty")]
        )
    note = f"angles from OpenSim coordinates ({Path(path).name}; see MOT_COORDINATES)"
    return Kinematics(angles, landmarks, pl.DataFrame(schema=_SWAP_SCHEMA), (note,), "opensim")


def _angles_from_mot(
    raw: pl.DataFrame, path: str | os.PathLike[str], knee_flexion_sign: Literal[1, -1]
) -> pl.DataFrame:
    """:func:`from_mot` of a table :func:`stridelab.io.read_mot` read from ``path``."""
    n = raw.height
    core = {
        "L": np.full((n, len(ANGLE_COLUMNS)), np.nan),
        "R": np.full((n, len(ANGLE_COLUMNS)), np.nan),
    }
    found = 0
    for template, target in MOT_COORDINATES.items():
        j = ANGLE_COLUMNS.index(target)
        for side in ("L", "R"):
            coord = template.format(s=side.lower())
            if coord not in raw.columns:
                continue
            x = raw[coord].cast(pl.Float64).to_numpy()
            if target == "knee_flexion_deg":
                x = x * knee_flexion_sign
                med = float(np.nanmedian(x)) if np.isfinite(x).any() else 0.0
                if med < -5.0:
                    raise DataError(
                        f"{os.fspath(path)}: {coord} has a median of {med:.1f} deg: the "
                        "knee is negative in flexion in this model (gait2392-style); pass "
                        f"knee_flexion_sign={-knee_flexion_sign}"
                    )
            core[side][:, j] = x
            found += 1
    if found == 0:
        raise DataError(
            f"{os.fspath(path)}: no hip, knee or ankle coordinate of OpenSim's names "
            f"({', '.join(t.format(s='r') for t in MOT_COORDINATES)}) in "
            f"{raw.columns[1:6]}…"
        )
    time = raw["time_s"].to_numpy()
    return _angles_table(core, time - time[0])


def warnings(kin: Kinematics) -> list[str]:
    """The notes of ``kin`` that are QA warnings: crosstalk, label swaps, non-rigid clusters, a
    static trial that does not fit this runner."""
    return [n for n in kin.notes if any(w in n for w in _WARNING_WORDS)]


def relabel(trial: Trial, mapping: dict[str, str] | str | os.PathLike[str]) -> Trial:
    """Renames markers, from a dict or a TOML file with a ``[labels]`` table (``old = "new"``),
    so that a lab's own labels match a preset."""
    if not isinstance(mapping, dict):
        with Path(mapping).open("rb") as fh:
            mapping = dict(tomllib.load(fh).get("labels", {}))
    names = tuple(str(mapping.get(n, n)) for n in trial.marker_names)
    if len(set(names)) != len(names):
        raise DataError(f"{trial.path}: relabelling gives duplicate marker names")
    marker_set, score = _native.detect_marker_set(list(names), list(trial.rotation_names))
    return dataclasses.replace(
        trial, marker_names=names, marker_set=marker_set, marker_set_score=score
    )


def _flat(t: Trial) -> FloatArray:
    return np.ascontiguousarray(t.points.reshape(t.points.shape[0], -1))


def compute(
    trial: Trial,
    static: Trial | None = None,
    *,
    marker_set: str | None = None,
    pelvis: Literal["hips_to_crests", "asis_psis"] = "hips_to_crests",
    hip: Literal["trochanter", "harrington", "bell"] = "trochanter",
    knee: Literal["epicondyles", "static_neutral"] = "epicondyles",
    shank: Literal["knee_aligned", "malleoli"] = "knee_aligned",
    foot: Literal["lab_neutral", "shank_neutral", "heel_toe"] = "lab_neutral",
    fix_swaps: bool = True,
    knee_width_m: tuple[float, float] | None = None,
    ankle_width_m: tuple[float, float] | None = None,
) -> Kinematics:
    """Joint and segment angles of ``trial``.

    Parameters
    ----------
    trial
        A dynamic trial (markers), or a trial with 4×4 segment poses (Theia3D), which needs no
        static trial.
    static
        The standing calibration trial with anatomical markers.
    marker_set
        ``"rbds"``, ``"ric"``, ``"plugin_gait_lower"`` or ``"plugin_gait_full"``; detected from
        the static trial's labels when omitted (use :func:`relabel` first for other label names).
        Plug-in Gait subject prefixes (``Runner01:LASI``) are dropped.
    pelvis, hip, knee, shank, foot
        Model choices (``docs/kinematics.md``); ``knee="static_neutral"`` with
        ``shank="malleoli"`` reproduces the RBDS lab's Visual3D curves but is not a published
        definition and adds crosstalk. Without trochanter
        markers (Plug-in Gait) the hip centres come from the Harrington regression and the pelvis
        from the ASIS and PSIS (or SACR) markers.
    knee_width_m, ankle_width_m
        (left, right) widths for Plug-in Gait's chord function when the static trial has no
        medial knee or malleolus markers; read from a C3D static's PROCESSING group
        (``LKneeWidth``…, mm) when not given.
    fix_swaps
        Exchange labels found swapped relative to the static trial (always reported).

    Raises
    ------
    stridelab.errors.DataError
        No static trial for a marker trial, an unknown marker set, or static and dynamic trials
        that disagree on units.
    """
    if trial.n_markers == 0 and trial.rotation_names:
        rot = np.ascontiguousarray(trial.rotations.reshape(trial.rotations.shape[0], -1))
        d = _native.pose_kinematics(rot, list(trial.rotation_names))
        return _assemble(d, trial, "theia")
    if static is None:
        found = marker_set or trial.marker_set
        if found in TRACKED_LANDMARK_SETS:
            try:
                d = _native.landmark_kinematics(
                    _flat(trial), list(trial.marker_names), trial.point_rate_hz, found
                )
            except DataError as err:
                raise DataError(f"{trial.path}: {err}") from None
            return _assemble(d, trial, found)
        raise DataError(
            f"{trial.path}: marker kinematics need a static calibration trial (its "
            f"'{found}' markers do not track every anatomical landmark in every frame; "
            "OpenCap's do)"
        )
    preset = _preset(static, marker_set)
    _check_same_protocol(trial, static, preset)
    if _PRESETS[preset] == "plugin_gait":
        static, trial = _drop_subject_prefix(static), _drop_subject_prefix(trial)
        knee_width_m = knee_width_m or _processing_widths(static, "KneeWidth")
        ankle_width_m = ankle_width_m or _processing_widths(static, "AnkleWidth")
    try:
        d = _native.marker_kinematics(
            _flat(static),
            list(static.marker_names),
            _flat(trial),
            list(trial.marker_names),
            trial.point_rate_hz,
            _PRESETS[preset],
            pelvis=pelvis,
            hip=hip,
            knee=knee,
            shank=shank,
            foot=foot,
            fix_swaps=fix_swaps,
            knee_width_m=knee_width_m,
            ankle_width_m=ankle_width_m,
        )
    except DataError as err:
        raise DataError(f"{trial.path} with static {static.path}: {err}") from None
    return _assemble(d, trial, preset)


def _check_same_protocol(trial: Trial, static: Trial, preset: str) -> None:
    """Refuses a static trial of another marker set than the dynamic trial (every angle would be
    NaN): by the recognised sets, and by the static's labels the trial lacks."""
    family = _PRESETS[preset]
    bare_names = [n.rsplit(":", 1)[-1] for n in trial.marker_names]
    found, _ = _native.detect_marker_set(bare_names, list(trial.rotation_names))
    if found in _PRESETS and _PRESETS[found] != family:
        raise DataError(
            f"{trial.path} is a {found} trial but its static {static.path} is "
            f"{preset}: use the static trial of the same marker set (and runner)"
        )
    bare = set(bare_names)
    shared = [n for n in static.marker_names if n.rsplit(":", 1)[-1] in bare]
    if static.marker_names and len(shared) < 0.3 * len(static.marker_names):
        raise DataError(
            f"{trial.path} shares {len(shared)} of {len(static.marker_names)} marker labels "
            f"with its static {static.path}: they are not of the same marker set"
        )


def _preset(static: Trial, marker_set: str | None) -> str:
    preset = marker_set or static.marker_set
    if preset not in _PRESETS:
        raise DataError(
            f"{static.path}: marker set '{preset}' has no kinematic model "
            f"({', '.join(sorted(_PRESETS))}; map other labels with stridelab.kinematics.relabel)"
        )
    return preset


def _drop_subject_prefix(trial: Trial) -> Trial:
    names = tuple(n.rsplit(":", 1)[-1] for n in trial.marker_names)
    if names == trial.marker_names or len(set(names)) != len(names):
        return trial
    return dataclasses.replace(trial, marker_names=names)


def _processing_widths(static: Trial, what: str) -> tuple[float, float] | None:
    """(left, right) width in m from a C3D's PROCESSING group (Plug-in Gait subject values, mm)."""
    if static.format != "c3d":
        return None
    try:
        group = _native.c3d_parameters(str(static.path)).get("PROCESSING", {})
    except (OSError, DataError, ValueError):
        return None
    left, right = group.get(f"L{what}"), group.get(f"R{what}")
    if not (isinstance(left, list) and isinstance(right, list) and left and right):
        return None
    if left[0] <= 0 or right[0] <= 0:
        return None
    return float(left[0]) / 1000.0, float(right[0]) / 1000.0


def _angles_table(core: dict[str, FloatArray], time_s: FloatArray) -> pl.DataFrame:
    """The angles layout from frames × :data:`ANGLE_COLUMNS` per side and each frame's time."""
    left, right = core["L"], core["R"]
    n = left.shape[0]
    # rows ordered by frame, then side (L before R)
    both = np.stack([left, right], axis=1).reshape(2 * n, left.shape[1])
    cols: dict[str, object] = {
        "frame": np.repeat(np.arange(n, dtype=np.int64), 2),
        "time_s": np.repeat(time_s, 2),
        "side": ["L", "R"] * n,
    }
    for j, name in enumerate(ANGLE_COLUMNS):
        cols[name] = both[:, j]
    return pl.DataFrame(cols)


#: Columns of :attr:`Kinematics.crosstalk`.
CROSSTALK_SCHEMA = {
    "side": pl.String,
    "knee_adduction_on_flexion_slope": pl.Float64,
    "knee_adduction_flexion_r": pl.Float64,
    "knee_axis_misalignment_deg": pl.Float64,
    "frames": pl.Int64,
    "crosstalk_flagged": pl.Boolean,
}

_SWAP_SCHEMA = {
    "segment": pl.String,
    "a": pl.String,
    "b": pl.String,
    "residual_before_mm": pl.Float64,
    "residual_after_mm": pl.Float64,
}


def _assemble(d: dict[str, object], trial: Trial, model: str) -> Kinematics:
    left, right = d["L"], d["R"]
    assert isinstance(left, np.ndarray)
    assert isinstance(right, np.ndarray)
    swaps = d["swaps"]
    assert isinstance(swaps, list)
    landmarks = d["landmarks"]
    assert isinstance(landmarks, dict)
    notes = d["notes"]
    assert isinstance(notes, list)
    crosstalk = d["crosstalk"]
    assert isinstance(crosstalk, list)
    statics = d["static_angles"]
    assert isinstance(statics, dict)
    static_angles = pl.DataFrame(
        [{"side": s, **dict(zip(ANGLE_COLUMNS, v, strict=True))} for s, v in statics.items()],
        schema=_SIDE_ANGLES_SCHEMA,
    )
    return Kinematics(
        None,
        {str(k): v for k, v in landmarks.items()},
        pl.DataFrame(swaps, schema=_SWAP_SCHEMA),
        tuple(str(n) for n in notes),
        model,
        core_arrays={"L": left, "R": right},
        rate_hz=trial.point_rate_hz or trial.rotation_rate_hz,
        crosstalk=pl.DataFrame(crosstalk, schema=CROSSTALK_SCHEMA),
        static_angles=static_angles,
    )


def fill_rigid(
    trial: Trial, static: Trial, *, marker_set: str | None = None
) -> tuple[Trial, pl.DataFrame]:
    """Fills gaps of any length in a cluster marker from the other markers of its segment
    (three or more seen), carried by the segment's rigid fit to the static calibration.

    Returns the filled trial and a report: ``marker, segment, frames_filled, first_frame,
    last_frame``. Frames where fewer than three markers of the segment are seen stay NaN.
    """
    preset = _preset(static, marker_set)
    points, rows = _native.fill_rigid(
        _flat(static),
        list(static.marker_names),
        _flat(trial),
        list(trial.marker_names),
        trial.point_rate_hz,
        _PRESETS[preset],
    )
    report = pl.DataFrame(
        [
            {
                "marker": m,
                "segment": seg,
                "frames_filled": len(frames),
                "first_frame": min(frames),
                "last_frame": max(frames),
            }
            for m, seg, frames in rows
        ],
        schema={
            "marker": pl.String,
            "segment": pl.String,
            "frames_filled": pl.Int64,
            "first_frame": pl.Int64,
            "last_frame": pl.Int64,
        },
    )
    filled = dataclasses.replace(trial, points=points.reshape(trial.points.shape))
    return filled, report
