"""Deep squat screen (article 004), scored 3 / 2 / 1 like the Functional Movement Screen deep
squat (Cook et al. 2006) from a squat trial's kinematics. Criteria, each from the deepest frame
(the frame of peak knee flexion, both sides averaged):

- depth: hip flexion >= 95 deg and knee flexion >= 110 deg (thighs below horizontal);
- heels down: neither heel rises more than 15 mm above its standing height;
- trunk parallel to the tibia: trunk forward lean within 15 deg of the shank's forward tilt
  (assessed only with trunk markers);
- knees over the feet: neither knee centre more than 40 mm medial of its ankle centre.

A trial whose feet leave the ground (either ankle centre's height ranging more than 10 cm
between its 5th and 95th percentiles: stepping, walking, running) is not a squat and is refused
as not assessable, with the reason.

Score 3: every assessable criterion met. Score 2: depth reached but heels, trunk or knees fail
(the FMS scores 2 what is completed only with heels raised). Score 1: depth not reached. The
cut-offs are stridelab's provisional reading of the FMS description. A deep squat score <= 2
with a straight-leg raise of 1 (deep squat + straight-leg raise <= 3) had an odds ratio of 9.7
for running injury (Hotta et al. 2015); the straight-leg raise is not measured here.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from stridelab.kinematics import Kinematics
from stridelab.patterns import RESULT_SCHEMA, load_thresholds

__all__ = ["explain", "screen"]


def _not_a_squat(kin: Kinematics) -> str | None:
    """Why the trial is not a squat (the feet leave the ground, or the pelvis travels more than
    half a metre over the floor), or None."""
    pelvis = kin.landmarks.get("pelvis_origin")
    if pelvis is not None and np.isfinite(pelvis[:, :2]).any():
        lo, hi = np.nanpercentile(pelvis[:, :2], [5, 95], axis=0)
        travel = float(np.hypot(*(hi - lo)))
        if travel > 0.5:
            return (
                f"not a squat trial: the pelvis travels {travel:.1f} m over the floor "
                "(walking or running)"
            )
    for s in ("L", "R"):
        ankle = kin.landmarks.get(f"{s}_ajc")
        if ankle is None or not np.isfinite(ankle[:, 2]).any():
            continue
        lo, hi = np.nanpercentile(ankle[:, 2], [5, 95])
        if hi - lo > 0.10:
            return (
                f"not a squat trial: the {s} ankle rises and falls {100 * (hi - lo):.0f} cm "
                "(the feet leave the ground, as in stepping or running)"
            )
    return None


def screen(kin: Kinematics, static_kin: Kinematics | None = None) -> pl.DataFrame:
    """The ``deep_squat_screen`` row (result contract of :mod:`stridelab.patterns`), with the
    score in the evidence. Without a standing trial (``static_kin``; OpenSim coordinates,
    OpenCap) the heels criterion is not assessed, and a criterion not assessed never fails."""
    rules = load_thresholds()
    rule, meta = rules["patterns"]["deep_squat_screen"], rules["meta"]
    sides = {s: kin.side(s) for s in ("L", "R")}
    knee = np.nanmean(np.stack([sides[s]["knee_flexion_deg"].to_numpy() for s in sides]), axis=0)
    base = {
        "pattern": "deep_squat_screen",
        "title": rule["title"],
        "side": "both",
        "provisional": True,
        "cue": rule["cue"],
        "articles": ",".join(rule["articles"]),
        "note": meta["note"],
        "rules": meta.get("rules", "shipped"),
    }
    refused = _not_a_squat(kin) if np.isfinite(knee).any() else "no knee angles in the squat trial"
    if refused:
        return pl.DataFrame(
            [
                {
                    **base,
                    "cue": "",
                    "status": "not_assessable",
                    "reason": refused,
                    "confidence": "low",
                    "evidence": [],
                }
            ],
            schema=RESULT_SCHEMA,
        )
    f = int(np.nanargmax(knee))

    def at(col: str) -> float:
        v = np.array([sides[s][col][f] for s in sides], dtype=float)
        v = v[np.isfinite(v)]
        return float(v.mean()) if v.size else float("nan")

    hip, knee_deep, trunk, shank = (
        at("hip_flexion_deg"),
        at("knee_flexion_deg"),
        at("trunk_flexion_deg"),
        at("shank_angle_deg"),
    )
    heel_rise = []
    knee_medial = []
    for s in ("L", "R"):
        h = kin.landmarks.get(f"{s}_heel")
        h0 = static_kin.landmarks.get(f"{s}_heel") if static_kin is not None else None
        if h is not None and h0 is not None:
            heel_rise.append(1000 * (h[f, 2] - float(np.nanmean(h0[:, 2]))))
        k, a = kin.landmarks.get(f"{s}_kjc"), kin.landmarks.get(f"{s}_ajc")
        if k is not None and a is not None:
            # medial is toward the other side: −y for the left leg, +y for the right
            d = (k[f, 1] - a[f, 1]) * (-1.0 if s == "L" else 1.0)
            knee_medial.append(1000 * d)
    criteria = {
        "depth": bool(hip >= 95 and knee_deep >= 110),
        "heels_down": bool(max(heel_rise) <= 15) if heel_rise else None,
        # the shank leans forward in a squat: shank angle is negative when the knee is ahead
        "trunk_parallel_to_tibia": bool(abs(trunk - (-shank)) <= 15)
        if np.isfinite(trunk)
        else None,
        "knees_over_feet": bool(max(knee_medial) <= 40) if knee_medial else None,
    }
    others = [v for k, v in criteria.items() if k != "depth" and v is not None]
    score = 1 if not criteria["depth"] else 3 if all(others) else 2
    status = {3: "clear", 2: "borderline", 1: "flagged"}[score]
    evidence = {
        "score": score,
        "criteria": criteria,
        "hip_flexion_deg": hip,
        "knee_flexion_deg": knee_deep,
        "trunk_flexion_deg": trunk,
        "shank_angle_deg": shank,
        "heel_rise_mm": heel_rise,
        "knee_medial_of_ankle_mm": knee_medial,
        "source": rule["source"],
    }
    return pl.DataFrame(
        [
            {
                **base,
                "status": status,
                "cue": base["cue"] if status != "clear" else "",
                "reason": None,
                "confidence": "moderate",
                "evidence": [evidence],
            }
        ],
        schema=RESULT_SCHEMA,
    )


_CRITERIA = {
    "depth": "depth: hip flexion >= 95 deg and knee flexion >= 110 deg",
    "heels_down": "heels down: neither heel > 15 mm above standing",
    "trunk_parallel_to_tibia": "trunk parallel to the tibia (within 15 deg)",
    "knees_over_feet": "knees over the feet: knee centre <= 40 mm medial of the ankle",
}


def explain(evidence: dict[str, object]) -> list[str]:
    """The score of a screened squat in words: each criterion met, failed or not assessed,
    with the deepest frame's angles, and how the criteria make the score."""
    criteria = evidence.get("criteria")
    if not isinstance(criteria, dict):
        return []
    word = {True: "met", False: "FAILED", None: "not assessed"}
    lines = [f"  {word[criteria.get(k)]:<13}{text}" for k, text in _CRITERIA.items()]
    hip, knee = evidence.get("hip_flexion_deg"), evidence.get("knee_flexion_deg")
    lines.append(f"  deepest frame: hip flexion {hip:.0f} deg, knee flexion {knee:.0f} deg")
    lines.append(
        "  score 3: every assessed criterion met; 2: depth reached, another failed; "
        "1: depth not reached (Functional Movement Screen deep squat, provisional cut-offs)"
    )
    return lines
