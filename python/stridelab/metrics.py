"""Per-stride running metrics: one row per (trial, side, stride), everything the risk patterns of
``docs`` need, with units in the column names. Definitions, stated once:

- ``leg_length_m``: hip → knee → ankle joint centre of that side (median segment lengths);
- ``foot_strike_angle_deg``: foot pitch at IC relative to standing (+ toes up; Altman & Davis 2012);
- ``strike_index``: where the centre of pressure is in the first loading after IC along the
  heel → metatarsal-head line (0 heel, 1 metatarsal heads): force-weighted over 5–20 ms after
  IC, since the centre of pressure of a few newtons is noise; only with a force plate;
- ``foot_strike``: from the strike index when there is one (rearfoot < 1/3 ≤ midfoot < 2/3 ≤
  forefoot), else from the strike angle (forefoot < −1.6° ≤ midfoot ≤ 8° < rearfoot);
- ``heel_ahead_of_pelvis_pct_leg``: heel − pelvis centre (mid hip centres) along progression at IC;
- ``hip_ahead_of_ankle_pct_leg``: pelvis centre − stance ankle centre at midstance (+ hip ahead);
- ``contralateral_pelvic_drop_deg``: largest drop of the other side of the pelvis in stance,
  relative to its level at IC;
- ranges (``*_range_deg``) are max − min over the whole stride; peaks "stance" are IC → TO;
- ``vertical_oscillation_m``: range of the pelvis centre height over the stride;
- ``heel_min_above_standing_mm``: lowest heel height in stance above its standing height;
- ``forefoot_strike_share``, ``wrist_crosses_midline``: 1/0 per stride (shares once averaged);
- ``foot_behind_pelvis_at_to_pct_leg``: pelvis centre − heel along progression at TO;
- ``step_length_over_leg_length``: speed × step time / leg length (treadmill speed given);
- ``trunk_flexion_rel_pelvis_at_midstance_deg``, ``thorax_pelvis_rotation_range_deg``: trunk
  against pelvis (with trunk markers);
- ``static_leg_length_difference_mm`` (L − R) and ``static_pelvic_obliquity_deg`` (left up +) from
  the standing trial, repeated on every row;
- ``stride_length_m``: treadmill speed × stride time when a speed is given, else the forward travel
  of the heel between the two ICs (overground).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from stridelab import strides as strides_mod
from stridelab.io import Trial
from stridelab.kinematics import Kinematics

__all__ = ["classify_strike", "per_stride", "summary"]

FloatArray = npt.NDArray[np.float64]


def classify_strike(strike_index: float | None, strike_angle_deg: float) -> str:
    """Foot strike class: by strike index when there is one, else by strike angle."""
    if strike_index is not None and np.isfinite(strike_index):
        return (
            "rearfoot"
            if strike_index < 1 / 3
            else "midfoot"
            if strike_index < 2 / 3
            else "forefoot"
        )
    if not np.isfinite(strike_angle_deg):
        return "unknown"
    return (
        "forefoot"
        if strike_angle_deg < -1.6
        else "rearfoot"
        if strike_angle_deg > 8.0
        else "midfoot"
    )


def _at(values: FloatArray, t: float, rate: float) -> float:
    """Linear interpolation of a sampled series at time ``t`` (NaN outside it)."""
    x = t * rate
    if not np.isfinite(x) or x < 0 or x > values.shape[0] - 1:
        return float("nan")
    i = min(int(x), values.shape[0] - 2) if values.shape[0] > 1 else 0
    frac = x - i
    if values.shape[0] == 1:
        return float(values[0])
    return float(values[i] + frac * (values[i + 1] - values[i]))


def _window(values: FloatArray, a: float, b: float, rate: float) -> FloatArray:
    if not (np.isfinite(a) and np.isfinite(b)):
        return np.empty(0)
    i0, i1 = int(np.ceil(a * rate)), int(np.floor(b * rate))
    return values[max(i0, 0) : min(i1 + 1, values.shape[0])]


def _peak(values: FloatArray, fn: str) -> float:
    v = values[np.isfinite(values)] if values.size else values
    if v.size == 0:
        return float("nan")
    return float(np.max(v) if fn == "max" else np.min(v))


def _strike_index(trial: Trial, k: Kinematics, side: str, ic: float) -> float:
    if not trial.force_plates:
        return float("nan")
    heel, toe = k.landmarks.get(f"{side}_heel"), k.landmarks.get(f"{side}_toe")
    if heel is None or toe is None:
        return float("nan")
    rate = trial.point_rate_hz
    h = np.array([_at(heel[:, j], ic, rate) for j in range(2)])
    t = np.array([_at(toe[:, j], ic, rate) for j in range(2)])
    for plate in trial.force_plates:
        # The centre of pressure is ill-defined while the force is a few newtons (moment over
        # force): skip the first 5 ms and weight the next 15 ms by the vertical force.
        s0 = round((ic + 0.005) * plate.rate_hz)
        s1 = max(s0 + 1, round((ic + 0.020) * plate.rate_hz))
        cop = plate.cop_m[s0:s1, :2]
        load = plate.force_n[s0:s1, 2]
        ok = np.isfinite(cop).all(axis=1) & (load > 20)
        if ok.sum() >= 2:
            centre = (cop[ok] * load[ok, None]).sum(axis=0) / load[ok].sum()
            axis = t - h
            length = float(np.linalg.norm(axis))
            if length > 0.05:
                return float(np.dot(centre - h, axis / length) / length)
    return float("nan")


def _wrist_crossing(trial: Trial, side: str, centre: FloatArray, a: float, b: float) -> float:
    """1 when the side's wrist passes the body's midline (the pelvis centre's lateral position)
    during the stride, 0 when it does not, NaN without wrist markers or hand poses."""
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    pos = None
    for name in (f"{side}WRA", f"{side}WRB", f"{side}WRI"):
        if name in trial.marker_names:
            pos = trial.marker(name)
            break
    hand = f"{side.lower()}_hand_4X4"
    if pos is None and hand in trial.rotation_names:
        pos = trial.rotation(hand)[:, :3, 3]
    if pos is None:
        return float("nan")
    w = _window(pos[:, 1] - centre[:, 1], a, b, rate)
    w = w[np.isfinite(w)]
    if w.size == 0:
        return float("nan")
    # y is left: a left wrist crosses when it goes right of the midline, and vice versa
    return float(np.any(w < 0) if side == "L" else np.any(w > 0))


def static_measures(static_kin: Kinematics) -> dict[str, float]:
    """Standing asymmetries: leg-length difference (L − R, hip to ankle centre, mm) and pelvic
    obliquity (left side up +, deg)."""
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
    obliquity = static_kin.side("L")["pelvis_obliquity_deg"].to_numpy()
    if np.isfinite(obliquity).any():
        out["static_pelvic_obliquity_deg"] = float(np.nanmean(obliquity))
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
    ``pelvic_tilt_at_ic_rel_static_deg`` and ``heel_min_above_standing_mm``.
    """
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    st = strides_mod.strides(events)
    st = strides_mod.midstance(st, kin.angles, kin.landmarks, rate, midstance)  # type: ignore[arg-type]
    lm = kin.landmarks
    pelvis_centre = None
    if "L_hjc" in lm and "R_hjc" in lm:
        pelvis_centre = (lm["L_hjc"] + lm["R_hjc"]) / 2
    elif "pelvis_origin" in lm:
        pelvis_centre = lm["pelvis_origin"]
    leg_side = {}
    for side in ("L", "R"):
        if all(f"{side}_{j}" in lm for j in ("hjc", "kjc", "ajc")):
            thigh = np.linalg.norm(lm[f"{side}_hjc"] - lm[f"{side}_kjc"], axis=1)
            shank = np.linalg.norm(lm[f"{side}_kjc"] - lm[f"{side}_ajc"], axis=1)
            leg_side[side] = float(np.nanmedian(thigh) + np.nanmedian(shank))
    leg = float(np.mean(list(leg_side.values()))) if leg_side else float("nan")
    standing_tilt = standing_heel = None
    if static_kin is not None:
        standing_tilt = float(np.nanmean(static_kin.angles["pelvis_tilt_deg"].to_numpy()))
        standing_heel = {
            s: float(np.nanmean(static_kin.landmarks[f"{s}_heel"][:, 2]))
            for s in ("L", "R")
            if f"{s}_heel" in static_kin.landmarks
        }
    static_row = static_measures(static_kin) if static_kin is not None else {}
    angles = {s: kin.side(s) for s in ("L", "R")}
    col = {s: {c: angles[s][c].to_numpy() for c in angles[s].columns} for s in ("L", "R")}
    rows = []
    for r in st.iter_rows(named=True):
        side, other = r["side"], ("R" if r["side"] == "L" else "L")
        ic, to, nxt, mid = r["ic_s"], r["to_s"], r["next_ic_s"], r["midstance_s"]
        a, o = col[side], col[other]

        def at(name: str, t: float, a: dict[str, FloatArray] = a) -> float:
            return _at(a[name], t, rate)

        stance = (ic, to)
        row: dict[str, object] = {
            "runner": runner,
            "trial": trial.path.name,
            "side": side,
            "stride": r["stride"],
            "ic_s": ic,
            "to_s": to,
            "midstance_s": mid,
            "midstance_definition": midstance,
            "stride_time_s": r["stride_time_s"],
            "step_time_s": r["step_time_s"],
            "contact_time_s": r["contact_time_s"],
            "flight_time_s": r["flight_time_s"],
            "duty_factor": r["duty_factor"],
            "cadence_steps_per_min": r["cadence_steps_per_min"],
            "leg_length_m": leg_side.get(side, float("nan")),
            "foot_strike_angle_deg": at("foot_angle_deg", ic),
            "strike_index": _strike_index(trial, kin, side, ic),
            "shank_angle_at_ic_deg": at("shank_angle_deg", ic),
            "knee_flexion_at_ic_deg": at("knee_flexion_deg", ic),
            "ankle_dorsiflexion_at_ic_deg": at("ankle_dorsiflexion_deg", ic),
            "peak_stance_knee_flexion_deg": _peak(
                _window(a["knee_flexion_deg"], *stance, rate), "max"
            ),
            "min_stance_knee_flexion_deg": _peak(
                _window(a["knee_flexion_deg"], *stance, rate), "min"
            ),
            "min_swing_knee_flexion_deg": _peak(
                _window(a["knee_flexion_deg"], to, nxt, rate), "min"
            ),
            "knee_flexion_at_to_deg": at("knee_flexion_deg", to),
            "peak_stance_hip_adduction_deg": _peak(
                _window(a["hip_adduction_deg"], *stance, rate), "max"
            ),
            "peak_hip_extension_deg": -_peak(_window(a["hip_flexion_deg"], *stance, rate), "min"),
            "peak_stance_rearfoot_eversion_deg": -_peak(
                _window(a["ankle_inversion_deg"], *stance, rate), "min"
            ),
            "peak_stance_knee_adduction_deg": _peak(
                _window(a["knee_adduction_deg"], *stance, rate), "max"
            ),
            "contralateral_pelvic_drop_deg": at("pelvis_obliquity_deg", ic, o)
            - _peak(_window(o["pelvis_obliquity_deg"], *stance, rate), "min"),
            "pelvic_tilt_at_ic_deg": at("pelvis_tilt_deg", ic),
            "peak_stance_pelvic_tilt_deg": _peak(
                _window(a["pelvis_tilt_deg"], *stance, rate), "max"
            ),
            "trunk_flexion_at_midstance_deg": at("trunk_flexion_deg", mid),
            "trunk_flexion_at_ic_deg": at("trunk_flexion_deg", ic),
            "pelvic_tilt_at_ic_rel_static_deg": at("pelvis_tilt_deg", ic) - standing_tilt
            if standing_tilt is not None
            else float("nan"),
        }
        heel_track = lm.get(f"{side}_heel")
        if standing_heel and side in standing_heel and heel_track is not None:
            low = _peak(_window(heel_track[:, 2], *stance, rate), "min")
            row["heel_min_above_standing_mm"] = 1000 * (low - standing_heel[side])
        else:
            row["heel_min_above_standing_mm"] = float("nan")
        for name, angle in (
            ("pelvic_tilt_range_deg", "pelvis_tilt_deg"),
            ("pelvic_obliquity_range_deg", "pelvis_obliquity_deg"),
            ("pelvic_rotation_range_deg", "pelvis_rotation_deg"),
            ("trunk_rotation_range_deg", "trunk_rotation_deg"),
        ):
            w = _window(a[angle], ic, nxt, rate)
            row[name] = _peak(w, "max") - _peak(w, "min")
        row["trunk_flexion_rel_pelvis_at_midstance_deg"] = at("trunk_flexion_deg", mid) - at(
            "pelvis_tilt_deg", mid
        )
        w = _window(a["trunk_rotation_deg"] - a["pelvis_rotation_deg"], ic, nxt, rate)
        row["thorax_pelvis_rotation_range_deg"] = _peak(w, "max") - _peak(w, "min")
        if pelvis_centre is not None:
            heel = lm.get(f"{side}_heel")
            ankle = lm.get(f"{side}_ajc")
            pc_x = pelvis_centre[:, 0]
            row["heel_ahead_of_pelvis_pct_leg"] = (
                100 * (_at(heel[:, 0], ic, rate) - _at(pc_x, ic, rate)) / leg
                if heel is not None
                else np.nan
            )
            row["hip_ahead_of_ankle_pct_leg"] = (
                100 * (_at(pc_x, mid, rate) - _at(ankle[:, 0], mid, rate)) / leg
                if ankle is not None
                else np.nan
            )
            row["foot_behind_pelvis_at_to_pct_leg"] = (
                100 * (_at(pc_x, to, rate) - _at(heel[:, 0], to, rate)) / leg
                if heel is not None
                else np.nan
            )
            z = _window(pelvis_centre[:, 2], ic, nxt, rate)
            row["vertical_oscillation_m"] = _peak(z, "max") - _peak(z, "min")
            if speed_m_s is not None:
                row["stride_length_m"] = speed_m_s * r["stride_time_s"]
            elif heel is not None:
                row["stride_length_m"] = _at(heel[:, 0], nxt, rate) - _at(heel[:, 0], ic, rate)
            else:
                row["stride_length_m"] = np.nan
        if speed_m_s is not None:
            row["step_length_over_leg_length"] = speed_m_s * r["step_time_s"] / leg
        row.update(static_row)
        row["foot_strike"] = classify_strike(
            float(row["strike_index"]),  # type: ignore[arg-type]
            float(row["foot_strike_angle_deg"]),  # type: ignore[arg-type]
        )
        row["forefoot_strike_share"] = float(row["foot_strike"] == "forefoot")
        row["wrist_crosses_midline"] = (
            _wrist_crossing(trial, side, pelvis_centre, ic, nxt)
            if pelvis_centre is not None
            else float("nan")
        )
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per metric and side: mean, SD, number of strides; plus the left−right difference and the
    symmetry index 100 × (L − R) / mean(L, R) of the means."""
    numeric = [
        c
        for c, t in table.schema.items()
        if t.is_numeric() and c not in {"stride", "ic_s", "to_s", "midstance_s"}
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
        denom = (abs(lm) + abs(rm)) / 2
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
