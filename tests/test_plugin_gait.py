"""Plug-in Gait presets, checked against the RBDS model on the same anatomy.

No Plug-in Gait recording ships with the project, so one is made from RBDS001: the PiG markers
(ASIS/PSIS, lateral thigh and shank markers, lateral epicondyle and malleolus, heel and toe) are
carried through the running trial by each segment's cluster. Both presets then describe the same
bones, and their angles must agree; the chord function (no medial markers, knee and ankle widths
instead) must place the joint centres where the medial markers put them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab import kinematics
from stridelab.io import Trial


def _kabsch(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    u, _, vt = np.linalg.svd((a - ca).T @ (b - cb))
    d = np.sign(np.linalg.det(vt.T @ u.T))
    r = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return r, cb - r @ ca


PIG_FROM_RBDS = {
    # PiG label: (RBDS static marker, RBDS cluster that carries it in the running trial)
    "ASI": ("ASIS", None),
    "PSI": ("PSIS", None),
    "THI": ("", "Thigh"),
    "KNE": ("Knee", "Thigh"),
    "TIB": ("", "Shank"),
    "ANK": ("Ankle", "Shank"),
    "HEE": ("Heel.Bottom", None),
    "TOE": ("MT2", "Foot"),
}
CLUSTERS = {
    "Thigh": [
        "Thigh.Top.Lateral",
        "Thigh.Bottom.Lateral",
        "Thigh.Top.Medial",
        "Thigh.Bottom.Medial",
    ],
    "Shank": [
        "Shank.Top.Lateral",
        "Shank.Bottom.Lateral",
        "Shank.Top.Medial",
        "Shank.Bottom.Medial",
    ],
    "Foot": ["Heel.Top", "Heel.Lateral", "Heel.Bottom"],
}


def _wand(static: Trial, side: str, lower: str, upper: str, lat: str, med: str) -> np.ndarray:
    """A wand marker as Plug-in Gait wants it: lateral, in the frontal plane of the joint axis,
    60 % of the way from the distal lateral marker toward `upper`, 3 cm out."""
    low, up = static.marker(f"{side}.{lower}"), static.marker(f"{side}.{upper}")
    axis = static.marker(f"{side}.{lat}") - static.marker(f"{side}.{med}")
    out = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    return low + 0.6 * (up - low) + 0.03 * out


def _pig(static: Trial, run: Trial, medial: bool) -> tuple[Trial, Trial]:
    s_names, r_names, s_pts, r_pts = [], [], [], []
    for side in "LR":
        wands = {
            "THI": _wand(static, side, "Knee", "GTR", "Knee", "Knee.Medial"),
            "TIB": _wand(static, side, "Ankle", "Knee", "Ankle", "Ankle.Medial"),
        }
        for pig, (rbds, cluster) in PIG_FROM_RBDS.items():
            s = wands[pig] if pig in wands else static.marker(f"{side}.{rbds}")
            s_names.append(f"{side}{pig}")
            s_pts.append(s)
            if cluster is None:
                r_pts.append(run.marker(f"{side}.{rbds}"))
            else:
                names = [f"{side}.{m}" for m in CLUSTERS[cluster]]
                a = np.nanmean(np.stack([static.marker(n) for n in names], axis=1), axis=0)
                out = np.full((run.n_frames, 3), np.nan)
                target = np.nanmean(s, axis=0)  # the static position, carried by the cluster
                for f in range(run.n_frames):
                    b = np.stack([run.marker(n)[f] for n in names])
                    r, t = _kabsch(a, b)
                    out[f] = r @ target + t
                r_pts.append(out)
            r_names.append(f"{side}{pig}")
        if medial:
            s_names += [f"{side}KNM", f"{side}MMA"]
            s_pts += [static.marker(f"{side}.Knee.Medial"), static.marker(f"{side}.Ankle.Medial")]
    st = dataclasses.replace(
        static, marker_names=tuple(f"Runner01:{n}" for n in s_names), points=np.stack(s_pts, axis=1)
    )
    rn = dataclasses.replace(run, marker_names=tuple(r_names), points=np.stack(r_pts, axis=1))
    return st, rn


@pytest.fixture(scope="module")
def trials(rbds: Path) -> tuple[Trial, Trial]:
    static = stridelab.read(rbds / "RBDS001static.txt")
    run = stridelab.read(rbds / "RBDS001runT25markers.txt")
    run = dataclasses.replace(run, points=run.points[:1500])  # 10 s is plenty
    return static, run


def test_plugin_gait_agrees_with_the_rbds_model(trials: tuple[Trial, Trial]) -> None:
    static, run = trials
    pig_static, pig_run = _pig(static, run, medial=True)
    pig = kinematics.compute(pig_run, pig_static, marker_set="plugin_gait_lower")
    assert pig.model == "plugin_gait_lower"
    assert any("Harrington" in n for n in pig.notes)
    ref = kinematics.compute(run, static, pelvis="asis_psis", hip="harrington")
    cols = ["hip_flexion_deg", "hip_adduction_deg", "knee_flexion_deg", "ankle_dorsiflexion_deg"]
    for side in ("L", "R"):
        a, b = pig.side(side), ref.side(side)
        for col in [*cols, "pelvis_tilt_deg"]:
            diff = a[col].to_numpy() - b[col].to_numpy()
            rmse = float(np.sqrt(np.nanmean(diff**2)))
            assert np.isfinite(diff).mean() > 0.99, (side, col)
            print(side, col, round(rmse, 2))
            assert rmse < 3.0, (side, col, rmse)


def test_chord_function_with_widths_matches_medial_markers(trials: tuple[Trial, Trial]) -> None:
    static, run = trials
    with_medial = kinematics.compute(
        *reversed(_pig(static, run, medial=True)), marker_set="plugin_gait_lower"
    )
    s2, r2 = _pig(static, run, medial=False)
    without = kinematics.compute(r2, s2, marker_set="plugin_gait_lower")
    assert any(
        "knee centre needs a medial knee marker or the knee width" in n for n in without.notes
    )
    assert without.angles["knee_flexion_deg"].is_nan().all()

    def width(lat: str, med: str, side: str) -> float:
        return float(
            np.linalg.norm(
                np.nanmean(static.marker(f"{side}.{lat}") - static.marker(f"{side}.{med}"), axis=0)
            )
        )

    # widths as a lab measures them: epicondyle to epicondyle, minus the two marker radii
    knee = (width("Knee", "Knee.Medial", "L") - 0.014, width("Knee", "Knee.Medial", "R") - 0.014)
    ankle = (
        width("Ankle", "Ankle.Medial", "L") - 0.014,
        width("Ankle", "Ankle.Medial", "R") - 0.014,
    )
    chord = kinematics.compute(
        r2, s2, marker_set="plugin_gait_lower", knee_width_m=knee, ankle_width_m=ankle
    )
    for name in ("L_kjc", "R_kjc", "L_ajc", "R_ajc"):
        err_mm = (
            np.nanmedian(
                np.linalg.norm(chord.landmarks[name] - with_medial.landmarks[name], axis=1)
            )
            * 1000
        )
        assert err_mm < 15, (name, err_mm)


def test_full_body_thorax_angles_follow_a_known_lean() -> None:
    """C7, T10, CLAV, STRN of an upright static, then the same thorax leaning 12° forward and
    8° toward the right."""
    base = {
        "C7": [-0.10, 0.0, 1.50],
        "T10": [-0.12, 0.0, 1.25],
        "CLAV": [0.05, 0.0, 1.45],
        "STRN": [0.09, 0.0, 1.28],
    }
    names = list(base)
    pts = np.array([base[n] for n in names])
    pivot = np.array([0.0, 0.0, 1.0])

    def rot(axis: np.ndarray, deg: float) -> np.ndarray:
        a = np.radians(deg)
        k = axis / np.linalg.norm(axis)
        kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        return np.eye(3) + np.sin(a) * kx + (1 - np.cos(a)) * kx @ kx

    # lean 12° forward (about the lab's y axis the top moves to +x), then, about the thorax's
    # own forward axis, 8° toward the right (−y): the Cardan order flexion, then lateral lean
    r = rot(np.array([0, 1.0, 0]), 12.0) @ rot(np.array([1.0, 0, 0]), 8.0)
    leaned = (pts - pivot) @ r.T + pivot

    def trial(p: np.ndarray, frames: int) -> Trial:
        t = stridelab.read(stridelab.example_path("static"))
        return dataclasses.replace(
            t,
            marker_names=tuple(names),
            points=np.repeat(p[None], frames, axis=0),
            marker_set="plugin_gait_full",
        )

    # the ISB thorax axis (mid C7-CLAV above mid T10-STRN) leans 2.7° back in this static
    upright = kinematics.compute(trial(pts, 5), trial(pts, 5), marker_set="plugin_gait_full")
    static_lean = upright.side("R").row(0, named=True)["trunk_flexion_deg"]
    assert static_lean == pytest.approx(-np.degrees(np.arctan2(0.01, 0.21)), abs=1e-6)
    k = kinematics.compute(trial(leaned, 5), trial(pts, 5), marker_set="plugin_gait_full")
    row = k.side("R").row(0, named=True)
    assert row["trunk_flexion_deg"] == pytest.approx(12.0 + static_lean, abs=0.3)
    assert row["trunk_lateral_flexion_deg"] == pytest.approx(8.0, abs=0.3)
    left = k.side("L").row(0, named=True)
    assert left["trunk_lateral_flexion_deg"] == pytest.approx(-8.0, abs=0.3)
    assert pl.Series([row["hip_flexion_deg"]]).is_nan().all()
