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

from collections.abc import Callable

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


_OTHER = {"L": "R", "R": "L"}


def _at_v(values: FloatArray, t: FloatArray, rate: float) -> FloatArray:
    """Linear interpolation of a sampled series at times ``t`` (NaN outside it)."""
    n = values.shape[0]
    x = np.asarray(t, dtype=np.float64) * rate
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x) & (x >= 0) & (x <= n - 1)
    if n == 1:
        out[ok] = values[0]
        return out
    if n == 0:
        return out
    xi = x[ok]
    i = np.minimum(xi.astype(np.int64), n - 2)
    out[ok] = values[i] + (xi - i) * (values[i + 1] - values[i])
    return out


def _reduce_v(values: FloatArray, a: FloatArray, b: FloatArray, rate: float, fn: str) -> FloatArray:
    """Max or min (``fn``) of ``values`` over each window of frames [ceil(a·rate), floor(b·rate)],
    NaN samples ignored; NaN for an empty window."""
    n = values.shape[0]
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    out = np.full(a.shape, np.nan)
    ok = np.isfinite(a) & np.isfinite(b)
    if not ok.any() or n == 0:
        return out
    i0 = np.zeros(a.shape, dtype=np.int64)
    i1 = np.zeros(a.shape, dtype=np.int64)
    i0[ok] = np.maximum(np.ceil(a[ok] * rate), 0)
    i1[ok] = np.minimum(np.floor(b[ok] * rate) + 1, n)
    valid = ok & (i1 > i0)
    if not valid.any():
        return out
    idx = np.empty(2 * int(valid.sum()), dtype=np.int64)
    idx[0::2], idx[1::2] = i0[valid], i1[valid]
    ext = np.append(values, np.nan)  # an end index of n is then a valid reduceat index
    ufunc = np.fmax if fn == "max" else np.fmin
    out[valid] = ufunc.reduceat(ext, idx)[0::2]
    return out


def _strike_index_v(
    trial: Trial, k: Kinematics, sides: npt.NDArray[np.str_], ics: FloatArray
) -> FloatArray:
    """Strike index at each IC: where the centre of pressure is in the first loading after IC
    along the heel → toe line (0 heel, 1 toe), force-weighted over 5–20 ms after IC."""
    out = np.full(ics.shape, np.nan)
    if not trial.force_plates:
        return out
    rate = trial.point_rate_hz
    for side in ("L", "R"):
        heel, toe = k.landmarks.get(f"{side}_heel"), k.landmarks.get(f"{side}_toe")
        m = np.flatnonzero((sides == side) & np.isfinite(ics))
        if heel is None or toe is None or m.size == 0:
            continue
        h = np.column_stack([_at_v(heel[:, j], ics[m], rate) for j in range(2)])
        t = np.column_stack([_at_v(toe[:, j], ics[m], rate) for j in range(2)])
        axis = t - h
        length = np.linalg.norm(axis, axis=1)
        for plate in trial.force_plates:
            todo = np.isnan(out[m])
            if not todo.any():
                break
            cop, load = plate.cop_m[:, :2], plate.force_n[:, 2]
            n = load.shape[0]
            ok = np.isfinite(cop).all(axis=1) & (load > 20)
            w = np.where(ok, load, 0.0)
            # The centre of pressure is ill-defined while the force is a few newtons (moment
            # over force): skip the first 5 ms and weight the next 15 ms by the force.
            s0 = np.round((ics[m] + 0.005) * plate.rate_hz).astype(np.int64)
            s1 = np.maximum(s0 + 1, np.round((ics[m] + 0.020) * plate.rate_hz).astype(np.int64))
            s0, s1 = np.clip(s0, 0, n), np.clip(s1, 0, n)
            count, sw, sx, sy = (
                _window_sum(v, s0, s1)
                for v in (
                    ok.astype(float),
                    w,
                    np.where(ok, cop[:, 0] * load, 0.0),
                    np.where(ok, cop[:, 1] * load, 0.0),
                )
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                centre = np.column_stack([sx / sw, sy / sw])
                value = np.einsum("ij,ij->i", centre - h, axis) / length**2
            use = todo & (count >= 2) & (length > 0.05)
            out[m[use]] = value[use]
    return out


def _window_sum(
    values: FloatArray, s0: npt.NDArray[np.int64], s1: npt.NDArray[np.int64]
) -> FloatArray:
    """Sums of ``values[s0:s1]`` (0 for an empty window)."""
    out = np.zeros(s0.shape)
    valid = s1 > s0
    if valid.any():
        idx = np.empty(2 * int(valid.sum()), dtype=np.int64)
        idx[0::2], idx[1::2] = s0[valid], s1[valid]
        out[valid] = np.add.reduceat(np.append(values, 0.0), idx)[0::2]
    return out


def _wrist_crossing_v(
    trial: Trial, side: str, centre: FloatArray, a: FloatArray, b: FloatArray
) -> FloatArray:
    """1 when the side's wrist passes the body's midline (the pelvis centre's lateral position)
    during each stride, 0 when it does not, NaN without wrist markers or hand poses."""
    pos = None
    for name in (f"{side}WRA", f"{side}WRB", f"{side}WRI"):
        if name in trial.marker_names:
            pos = trial.marker(name)
            break
    hand = f"{side.lower()}_hand_4X4"
    if pos is None and hand in trial.rotation_names:
        pos = trial.rotation(hand)[:, :3, 3]
    if pos is None:
        return np.full(a.shape, np.nan)
    rate = trial.point_rate_hz or trial.rotation_rate_hz
    lateral = pos[:, 1] - centre[:, 1]
    # y is left: a left wrist crosses when it goes right of the midline, and vice versa
    crossed = (lateral < 0) if side == "L" else (lateral > 0)
    return _reduce_v(
        np.where(np.isfinite(lateral), crossed.astype(float), np.nan), a, b, rate, "max"
    )


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
    if midstance not in strides_mod.MIDSTANCE_DEFINITIONS:
        raise ValueError(f"midstance definition must be one of {strides_mod.MIDSTANCE_DEFINITIONS}")
    knee = {s: kin.side_arrays(s)["knee_flexion_deg"] for s in ("L", "R") if kin.side_arrays(s)}
    mid_times = strides_mod._midstance_times(st, knee, kin.landmarks, rate, midstance)
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
    col = {s: kin.side_arrays(s) for s in ("L", "R")}
    n = st.height
    if n == 0:
        return pl.DataFrame()
    sides = st["side"].to_numpy()
    ic, to, nxt = (st[c].to_numpy().astype(np.float64) for c in ("ic_s", "to_s", "next_ic_s"))
    mid = mid_times
    masks = {s: sides == s for s in ("L", "R")}

    def per_side(fn: Callable[[str, npt.NDArray[np.bool_]], FloatArray]) -> FloatArray:
        out = np.full(n, np.nan)
        for s, m in masks.items():
            if m.any():
                out[m] = fn(s, m)
        return out

    def at(name: str, t: FloatArray, other: bool = False) -> FloatArray:
        return per_side(lambda s, m: _at_v(col[_OTHER[s] if other else s][name], t[m], rate))

    def peak(name: str, a: FloatArray, b: FloatArray, fn: str, other: bool = False) -> FloatArray:
        return per_side(
            lambda s, m: _reduce_v(col[_OTHER[s] if other else s][name], a[m], b[m], rate, fn)
        )

    def span(
        values_of: Callable[[str], FloatArray | None], a: FloatArray, b: FloatArray
    ) -> FloatArray:
        def one(s: str, m: npt.NDArray[np.bool_]) -> FloatArray:
            v = values_of(s)
            if v is None:
                return np.full(int(m.sum()), np.nan)
            return _reduce_v(v, a[m], b[m], rate, "max") - _reduce_v(v, a[m], b[m], rate, "min")

        return per_side(one)

    cols: dict[str, object] = {
        "runner": [runner] * n,
        "trial": [trial.path.name] * n,
        "side": st["side"],
        "stride": st["stride"],
        "ic_s": ic,
        "to_s": to,
        "midstance_s": mid,
        "midstance_definition": [midstance] * n,
    }
    for c in (
        "stride_time_s",
        "step_time_s",
        "contact_time_s",
        "flight_time_s",
        "duty_factor",
        "cadence_steps_per_min",
    ):
        cols[c] = st[c].to_numpy()
    cols["leg_length_m"] = per_side(lambda s, m: np.full(int(m.sum()), leg_side.get(s, np.nan)))
    cols["foot_strike_angle_deg"] = at("foot_angle_deg", ic)
    cols["strike_index"] = _strike_index_v(trial, kin, sides, ic)
    cols["shank_angle_at_ic_deg"] = at("shank_angle_deg", ic)
    cols["knee_flexion_at_ic_deg"] = at("knee_flexion_deg", ic)
    cols["ankle_dorsiflexion_at_ic_deg"] = at("ankle_dorsiflexion_deg", ic)
    cols["peak_stance_knee_flexion_deg"] = peak("knee_flexion_deg", ic, to, "max")
    cols["min_stance_knee_flexion_deg"] = peak("knee_flexion_deg", ic, to, "min")
    cols["min_swing_knee_flexion_deg"] = peak("knee_flexion_deg", to, nxt, "min")
    cols["knee_flexion_at_to_deg"] = at("knee_flexion_deg", to)
    cols["peak_stance_hip_adduction_deg"] = peak("hip_adduction_deg", ic, to, "max")
    cols["peak_hip_extension_deg"] = -peak("hip_flexion_deg", ic, to, "min")
    cols["peak_stance_rearfoot_eversion_deg"] = -peak("ankle_inversion_deg", ic, to, "min")
    cols["peak_stance_knee_adduction_deg"] = peak("knee_adduction_deg", ic, to, "max")
    cols["contralateral_pelvic_drop_deg"] = at("pelvis_obliquity_deg", ic, other=True) - peak(
        "pelvis_obliquity_deg", ic, to, "min", other=True
    )
    tilt_at_ic = at("pelvis_tilt_deg", ic)
    cols["pelvic_tilt_at_ic_deg"] = tilt_at_ic
    cols["peak_stance_pelvic_tilt_deg"] = peak("pelvis_tilt_deg", ic, to, "max")
    cols["trunk_flexion_at_midstance_deg"] = at("trunk_flexion_deg", mid)
    cols["trunk_flexion_at_ic_deg"] = at("trunk_flexion_deg", ic)
    cols["pelvic_tilt_at_ic_rel_static_deg"] = (
        tilt_at_ic - standing_tilt if standing_tilt is not None else np.full(n, np.nan)
    )

    def heel_low(s: str, m: npt.NDArray[np.bool_]) -> FloatArray:
        track = lm.get(f"{s}_heel")
        if not standing_heel or s not in standing_heel or track is None:
            return np.full(int(m.sum()), np.nan)
        low = _reduce_v(track[:, 2], ic[m], to[m], rate, "min")
        return 1000 * (low - standing_heel[s])

    cols["heel_min_above_standing_mm"] = per_side(heel_low)
    for name, angle in (
        ("pelvic_tilt_range_deg", "pelvis_tilt_deg"),
        ("pelvic_obliquity_range_deg", "pelvis_obliquity_deg"),
        ("pelvic_rotation_range_deg", "pelvis_rotation_deg"),
        ("trunk_rotation_range_deg", "trunk_rotation_deg"),
    ):
        cols[name] = span(lambda s, angle=angle: col[s][angle], ic, nxt)  # type: ignore[misc]
    cols["trunk_flexion_rel_pelvis_at_midstance_deg"] = at("trunk_flexion_deg", mid) - at(
        "pelvis_tilt_deg", mid
    )
    cols["thorax_pelvis_rotation_range_deg"] = span(
        lambda s: col[s]["trunk_rotation_deg"] - col[s]["pelvis_rotation_deg"], ic, nxt
    )
    if pelvis_centre is not None:
        pc = pelvis_centre

        def along(name: str, t: FloatArray, sign: float) -> FloatArray:
            # 100 × sign × (landmark − pelvis centre) along progression at t, in % leg length
            def one(s: str, m: npt.NDArray[np.bool_]) -> FloatArray:
                p = lm.get(f"{s}_{name}")
                if p is None:
                    return np.full(int(m.sum()), np.nan)
                return 100 * sign * (_at_v(p[:, 0], t[m], rate) - _at_v(pc[:, 0], t[m], rate)) / leg

            return per_side(one)

        cols["heel_ahead_of_pelvis_pct_leg"] = along("heel", ic, 1.0)
        cols["hip_ahead_of_ankle_pct_leg"] = along("ajc", mid, -1.0)
        cols["foot_behind_pelvis_at_to_pct_leg"] = along("heel", to, -1.0)
        cols["vertical_oscillation_m"] = span(lambda s: pc[:, 2], ic, nxt)
        if speed_m_s is not None:
            cols["stride_length_m"] = speed_m_s * st["stride_time_s"].to_numpy()
        else:

            def travel(s: str, m: npt.NDArray[np.bool_]) -> FloatArray:
                heel = lm.get(f"{s}_heel")
                if heel is None:
                    return np.full(int(m.sum()), np.nan)
                return _at_v(heel[:, 0], nxt[m], rate) - _at_v(heel[:, 0], ic[m], rate)

            cols["stride_length_m"] = per_side(travel)
    if speed_m_s is not None:
        cols["step_length_over_leg_length"] = speed_m_s * st["step_time_s"].to_numpy() / leg
    for k_, v_ in static_row.items():
        cols[k_] = np.full(n, v_)
    strike = [
        classify_strike(float(si), float(fa))
        for si, fa in zip(cols["strike_index"], cols["foot_strike_angle_deg"], strict=True)  # type: ignore[call-overload]
    ]
    cols["foot_strike"] = strike
    cols["forefoot_strike_share"] = np.array([float(s == "forefoot") for s in strike])
    cols["wrist_crosses_midline"] = (
        per_side(lambda s, m: _wrist_crossing_v(trial, s, pelvis_centre, ic[m], nxt[m]))
        if pelvis_centre is not None
        else np.full(n, np.nan)
    )
    return pl.DataFrame(cols)


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
