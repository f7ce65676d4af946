"""Per-stride running metrics: one row per (trial, side, stride), everything the risk patterns of
``docs`` need, with units in the column names. Definitions, stated once:

- ``leg_length_m``: hip → knee → ankle joint centre of that side, measured in this trial
  (median over its frames of the tracked thigh and shank lengths): it normalises distances
  (``_pct_leg``) and is not a leg-length measurement — the centres are carried by three skin
  clusters, so its L − R differs from the standing one by their soft-tissue motion (RBDS001:
  −1.6 mm running, +0.1 mm standing); for a leg-length difference read
  ``static_leg_length_difference_mm``;
- ``foot_strike_angle_deg``: foot pitch at IC relative to standing (+ toes up; Altman & Davis 2012);
- ``strike_index``: where the centre of pressure is in the first loading after IC along the
  heel → metatarsal-head line (0 heel, 1 metatarsal heads): force-weighted over 5–20 ms after
  IC, since the centre of pressure of a few newtons is noise; only with a force plate;
- ``foot_strike``: from the strike index when there is one (rearfoot < 1/3 ≤ midfoot < 2/3 ≤
  forefoot), else from the strike angle (forefoot < −1.6° ≤ midfoot ≤ 8° < rearfoot);
- ``heel_ahead_of_pelvis_pct_leg``: heel − pelvis centre (mid hip centres) along progression at IC;
- ``hip_ahead_of_ankle_pct_leg``: pelvis centre − stance ankle centre at midstance (+ hip ahead);
  ``mean_stance_hip_ahead_of_ankle_pct_leg``: the same averaged over the stance (IC → TO);
- ``contralateral_pelvic_drop_deg``: largest drop of the other side of the pelvis in stance,
  relative to its level at IC (markers and the sacrum IMU alike, one definition in the core);
- ranges (``*_range_deg``) are max − min over the whole stride; peaks "stance" are IC → TO;
- ``vertical_oscillation_m``: range of the pelvis centre height over the stride;
- ``heel_min_above_standing_mm``: lowest heel height in stance above its standing height;
- ``forefoot_strike_share``, ``wrist_crosses_midline``: 1/0 per stride (shares once averaged);
- ``foot_behind_pelvis_at_to_pct_leg``: pelvis centre − heel along progression at TO;
- ``step_length_over_leg_length``: speed × step time / leg length (treadmill speed given);
- ``trunk_flexion_rel_pelvis_at_midstance_deg``, ``thorax_pelvis_rotation_range_deg``: trunk
  against pelvis (with trunk markers);
- ``static_leg_length_difference_mm`` (L − R, hip → knee → ankle centre in the standing trial:
  the leg-length difference), ``static_pelvic_obliquity_deg`` (left up +) and
  ``static_pelvic_rotation_deg`` (left forward +, against the way the feet point) from the
  standing trial, repeated on every row;
  ``static_knee_flexion_deg``: that side's knee flexion standing (− = hyperextension), the
  nearest a capture comes to the knee's end range;
- ``peak_stance_knee_abduction_deg``: the most negative knee adduction in stance, sign flipped
  (valgus +);
- ``stride_length_m``: treadmill speed × stride time when a speed is given, else the forward travel
  of the heel between the two ICs overground; NaN on a treadmill without a speed (the pelvis
  travels under 0.5 m/s): a stride has no length there without the belt speed;
- ``step_length_over_leg_length``: speed × step time / leg length. Without a given speed the
  speed is estimated from the markers (:func:`estimate_speed`; ``speed_estimated`` says so, and
  ``speed_m_s`` gives the value used); where it cannot be, lengths are NaN. Every table has the
  same columns (NaN where a value cannot be computed), so tables of different trials
  concatenate. A speed outside 0.5–13 m/s is refused.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import _native
from stridelab import strides as strides_mod
from stridelab.errors import DataError
from stridelab.io import Trial, label_words
from stridelab.kinematics import Kinematics

__all__ = ["UNTRUSTED_EVENT_QUALITY", "classify_strike", "per_stride", "summary", "trusted"]

FloatArray = npt.NDArray[np.float64]

#: spatiotemporal columns of the strides table (:mod:`stridelab.strides` defines them), carried
#: into the metrics tables as they are
_STRIDE_TIMES = (
    "stride_time_s",
    "step_time_s",
    "contact_time_s",
    "flight_time_s",
    "duty_factor",
    "cadence_steps_per_min",
)


def classify_strike(strike_index: float | None, strike_angle_deg: float) -> str:
    """Foot strike class: by strike index when there is one (rearfoot < 1/3 ≤ midfoot < 2/3 ≤
    forefoot), else by strike angle (forefoot < −1.6° ≤ midfoot ≤ 8° < rearfoot), else
    ``"unknown"``."""
    si = float("nan") if strike_index is None else float(strike_index)
    return _native.STRIKE_CLASSES[_native.strike_class(si, float(strike_angle_deg))]


#: The kinematic model's note when it levels the pelvis to the lab in the static trial.
PELVIS_LEVELLED_NOTE = "pelvis levelled to the lab in the static trial"


def static_measures(static_kin: Kinematics) -> dict[str, float]:
    """Standing asymmetries: leg-length difference (L − R, hip to ankle centre, mm) and pelvic
    obliquity (left side up +, deg) and rotation (left forward +) of the pelvis frame; the
    latter two are left out where the model levels the pelvis to the lab in the static trial
    itself (they would be zero by construction)."""
    lm = static_kin.landmarks
    out: dict[str, float] = {}
    lengths = {}
    for side in ("L", "R"):
        if all(f"{side}_{j}" in lm for j in ("hjc", "kjc", "ajc")):
            thigh = np.linalg.norm(lm[f"{side}_hjc"] - lm[f"{side}_kjc"], axis=1)
            shank = np.linalg.norm(lm[f"{side}_kjc"] - lm[f"{side}_ajc"], axis=1)
            lengths[side] = float(np.nanmean(thigh + shank))
    if len(lengths) == 2:
        out["static_leg_length_difference_mm"] = 1000 * (lengths["L"] - lengths["R"])
    if any(n.startswith(PELVIS_LEVELLED_NOTE) for n in static_kin.notes):
        # a pelvis frame levelled to the lab in this very trial (no iliac crest or ASIS/PSIS
        # markers: RIC) stands at zero obliquity and rotation by construction: not a measure
        return out
    left = static_kin.side_arrays("L")
    for name, col in (
        ("static_pelvic_obliquity_deg", "pelvis_obliquity_deg"),
        ("static_pelvic_rotation_deg", "pelvis_rotation_deg"),
    ):
        v = left.get(col, np.empty(0))
        if np.isfinite(v).any():
            out[name] = float(np.nanmean(v))
    return out


_FOOT_WORDS = {"heel", "hee", "calc", "toe", "toes", "mt1", "mt2", "mt5", "mth", "foot"}
_PELVIS_WORDS = {"asis", "psis", "sacr", "sacrum", "pelvis", "lasi", "rasi", "lpsi", "rpsi"}


def estimate_speed(trial: Trial) -> float | None:
    """Running speed (m/s) from the markers, when none is given: the runner's speed over the
    ground is the pelvis's mean forward velocity in the lab minus the ground's (a treadmill belt
    moves the planted foot backward, the floor does not). The ground's velocity is read from the
    foot markers while each is within 10 mm of its lowest height (planted): the median forward
    velocity of those samples. None without foot or pelvis markers, or with an implausible
    result (outside 0.5–13 m/s). Measured: RBDS001 2.480 (2.5 m/s belt) and 3.478 m/s (3.5 m/s).
    """
    if trial.n_markers == 0 or trial.n_frames < 10:
        return None
    rate = trial.point_rate_hz
    names = [n.rsplit(":", 1)[-1] for n in trial.marker_names]
    feet = [i for i, n in enumerate(names) if label_words(n) & _FOOT_WORDS]
    pelvis = [i for i, n in enumerate(names) if label_words(n) & _PELVIS_WORDS]
    if not feet or not pelvis:
        return None
    ground = []
    for i in feet:
        x, z = trial.points[:, i, 0], trial.points[:, i, 2]
        if np.isfinite(z).sum() < 10:
            continue
        planted = z < np.nanpercentile(z, 5) + 0.010
        vx = np.gradient(x) * rate
        ok = planted & np.isfinite(vx)
        if ok.sum() >= 5:
            ground.append(float(np.median(vx[ok])))
    centre = np.nanmean(trial.points[:, pelvis, 0], axis=1)
    finite = np.isfinite(centre)
    if not ground or finite.sum() < 10:
        return None
    t = np.flatnonzero(finite) / rate
    pelvis_v = float(np.polyfit(t, centre[finite], 1)[0])
    speed = abs(pelvis_v - float(np.median(ground)))
    lo, hi = SPEED_RANGE_M_S
    return speed if lo <= speed <= hi else None


def check_speed(speed_m_s: float | None, trial: Trial | None = None) -> None:
    """Refuses a speed outside :data:`SPEED_RANGE_M_S` (a typo such as 35 for 3.5 m/s)."""
    if speed_m_s is None:
        return
    lo, hi = SPEED_RANGE_M_S
    if not (np.isfinite(speed_m_s) and lo <= speed_m_s <= hi):
        where = f"{trial.path}: " if trial is not None else ""
        raise DataError(
            f"{where}speed {speed_m_s} m/s is outside {lo}-{hi} m/s (running speeds); "
            "give it in m/s (3.5, not 35 or 12.6 km/h)"
        )


def static_knee_flexion(static_kin: Kinematics | None) -> dict[str, float]:
    """Knee flexion standing per side (deg, − = hyperextension), from the static trial."""
    out: dict[str, float] = {}
    if static_kin is None:
        return out
    for side in ("L", "R"):
        v = static_kin.side_arrays(side).get("knee_flexion_deg", np.empty(0))
        if np.isfinite(v).any():
            out[side] = float(np.nanmean(v))
    return out


def per_stride(
    trial: Trial,
    kin: Kinematics,
    events: pl.DataFrame,
    *,
    static_kin: Kinematics | None = None,
    speed_m_s: float | None = None,
    midstance: str = "peak_knee_flexion",
    runner: str = "",
) -> pl.DataFrame:
    """The metrics table of one trial: one row per valid stride and side (see module notes).

    ``static_kin`` (the kinematics of the standing trial) adds the metrics relative to standing:
    ``pelvic_tilt_at_ic_rel_static_deg`` and ``heel_min_above_standing_mm``. The numbers are
    computed in the Rust core (``metrics::per_stride``).
    """
    check_speed(speed_m_s, trial)
    estimated = speed_m_s is None
    if estimated:
        speed_m_s = estimate_speed(trial)
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    st = strides_mod.strides(events)
    if midstance not in strides_mod.MIDSTANCE_DEFINITIONS:
        raise ValueError(f"midstance definition must be one of {strides_mod.MIDSTANCE_DEFINITIONS}")
    n = st.height
    if n == 0:
        return pl.DataFrame()
    knee = {s: kin.side_arrays(s)["knee_flexion_deg"] for s in ("L", "R") if kin.side_arrays(s)}
    mid = strides_mod._midstance_times(st, knee, kin.landmarks, rate, midstance)
    standing_tilt, standing_heel, static_row = _standing(static_kin)
    side = st["side"].to_numpy()
    table = np.column_stack(
        [
            (side == "R").astype(np.float64),
            *(st[c].to_numpy() for c in ("ic_s", "to_s", "next_ic_s")),
            mid,
            *(st[c].to_numpy() for c in ("stride_time_s", "step_time_s")),
        ]
    ).astype(np.float64)
    plates = [
        (p.rate_hz, np.ascontiguousarray(p.cop_m), np.ascontiguousarray(p.force_n))
        for p in trial.force_plates
    ]
    columns = _native.stride_metrics(
        rate,
        np.ascontiguousarray(kin.angle_matrix("L"), dtype=np.float64),
        np.ascontiguousarray(kin.angle_matrix("R"), dtype=np.float64),
        [(k, np.ascontiguousarray(v, dtype=np.float64)) for k, v in kin.landmarks.items()],
        np.ascontiguousarray(table),
        plates,
        (_wrist(trial, "L"), _wrist(trial, "R")),
        standing_tilt,
        standing_heel,
        speed_m_s,
        list(static_row.items()),
    )
    cols: dict[str, object] = {
        "runner": [runner] * n,
        "trial": [trial.path.name] * n,
        "side": st["side"],
        "stride": st["stride"],
        "stride_id": st["stride_id"],
        "ic_s": st["ic_s"],
        "to_s": st["to_s"],
        "midstance_s": mid,
        "midstance_definition": [midstance] * n,
        "speed_m_s": [np.nan if speed_m_s is None else float(speed_m_s)] * n,
        "speed_estimated": [estimated] * n,
    }
    for name in _STRIDE_TIMES:
        cols[name] = st[name]
    cols["event_quality"] = st["event_quality"]
    for name, values in columns:
        if name == "foot_strike":
            cols[name] = [_native.STRIKE_CLASSES[int(k)] for k in values]
        else:
            cols[name] = values
    standing_knee = static_knee_flexion(static_kin)
    cols["static_knee_flexion_deg"] = [
        standing_knee.get(s, float("nan")) for s in st["side"].to_list()
    ]
    return pl.DataFrame(cols)


def _standing(
    static_kin: Kinematics | None,
) -> tuple[float | None, tuple[float | None, float | None], dict[str, float]]:
    """Pelvic tilt and heel heights standing, and :func:`static_measures`: computed once per
    static trial."""
    if static_kin is None:
        return None, (None, None), {}
    if "standing" not in static_kin.memo:
        tilt = float(np.nanmean(static_kin.angles["pelvis_tilt_deg"].to_numpy()))
        heels = [static_kin.landmarks.get(f"{s}_heel") for s in ("L", "R")]
        heel = tuple(float(np.nanmean(h[:, 2])) if h is not None else None for h in heels)
        static_kin.memo["standing"] = (tilt, heel, static_measures(static_kin))
    return static_kin.memo["standing"]  # type: ignore[return-value]


def _wrist(trial: Trial, side: str) -> FloatArray | None:
    """The side's wrist marker (``LWRA``, ``LWRB``, ``LWRI``) or hand pose origin, if any."""
    for name in (f"{side}WRA", f"{side}WRB", f"{side}WRI"):
        if name in trial.marker_names:
            return np.ascontiguousarray(trial.marker(name), dtype=np.float64)
    hand = f"{side.lower()}_hand_4X4"
    if hand in trial.rotation_names:
        return np.ascontiguousarray(trial.rotation(hand)[:, :3, 3], dtype=np.float64)
    return None


#: running speeds a treadmill or a runner can have, m/s (a world-record sprint peaks near 12.4)
SPEED_RANGE_M_S = (0.5, 13.0)

#: name endings of ratio-scale metrics (a true zero, never negative): only these get a symmetry
#: index; signed angles and distances are compared by their left − right difference
_RATIO_SCALE = ("_s", "_m", "_steps_per_min", "_range_deg", "duty_factor", "_g", "_pct_bw")


#: A stride whose ``event_quality`` (the lowest quality of its IC, TO and next IC) is at or
#: below this is left out of the screen and the summary: one of its events passed at most half
#: of its detector's checks, or was read from frames where the foot was not tracked (a foot
#: cluster that left its shank, ``docs/events.md``). Its angles at IC come from the wrong frames.
UNTRUSTED_EVENT_QUALITY = 0.5


def trusted(table: pl.DataFrame) -> pl.DataFrame:
    """The strides of a metrics table whose events can be trusted: ``event_quality`` above
    :data:`UNTRUSTED_EVENT_QUALITY`, or ungraded (NaN; a table without the column: all)."""
    if "event_quality" not in table.columns:
        return table
    q = pl.col("event_quality")
    return table.filter(q.is_null() | q.is_nan() | (q > UNTRUSTED_EVENT_QUALITY))


def summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per metric and side: mean, SD, number of strides; plus the left−right difference and, for
    ratio-scale metrics only (times, lengths, cadence, ranges, duty factor: a true zero and no
    sign), the symmetry index 100 × (L − R) / mean(L, R) of the means. A relative index of signed
    values near zero is meaningless (+0.9° and −1.0° would read 200 %): signed angles and
    distances get NaN there and are compared by ``left_minus_right`` (their units). Only the
    strides :func:`trusted` keeps count."""
    table = trusted(table)
    numeric = [
        c
        for c, t in table.schema.items()
        if t.is_numeric() and c not in {"stride", "ic_s", "to_s", "midstance_s", "event_quality"}
    ]
    rows = []
    for c in numeric:
        per = {}
        for side in ("L", "R"):
            v = table.filter(pl.col("side") == side)[c].to_numpy().astype(float)
            v = v[np.isfinite(v)]
            per[side] = (
                float(v.mean()) if v.size else np.nan,
                float(v.std(ddof=1)) if v.size > 1 else np.nan,
                v.size,
            )
        lm, rm = per["L"][0], per["R"][0]
        ratio_scale = c.endswith(_RATIO_SCALE) and lm >= 0 and rm >= 0
        denom = (lm + rm) / 2 if ratio_scale else 0.0
        rows.append(
            {
                "metric": c,
                "L_mean": lm,
                "L_sd": per["L"][1],
                "L_n": per["L"][2],
                "R_mean": rm,
                "R_sd": per["R"][1],
                "R_n": per["R"][2],
                "left_minus_right": lm - rm,
                "symmetry_index_pct": 100 * (lm - rm) / denom if denom > 0 else np.nan,
            }
        )
    return pl.DataFrame(rows)
