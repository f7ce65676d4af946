"""OpenSim inverse-kinematics input (.mot): the numbers are the file's cells, the signs are
stridelab's, and damaged or ambiguous files are refused with the file named.

References a reader can check by opening the file: OpenCap's walk_ik.mot (LaiArnoldModified2017
model, 60 Hz, degrees; shared/data/running/README.md) row 1 has hip_flexion_r 6.51861582 and
knee_angle_r 0.21599068; a walking knee flexes to about 60 deg in swing (Perry & Burnfield 2010).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stridelab import io, kinematics
from stridelab.errors import StridelabError


@pytest.fixture
def walk_mot(data_dir: Path) -> Path:
    return data_dir / "opencap" / "walk_ik.mot"


def test_walk_mot_cells_rate_and_signs(walk_mot: Path) -> None:
    raw = io.read_mot(walk_mot)
    assert raw.height == 222  # the header's nRows
    assert raw.width == 42  # the header's nColumns (time_s and 41 coordinates)
    assert raw["hip_flexion_r"][0] == pytest.approx(6.51861582, abs=1e-8)
    assert raw["pelvis_ty"][0] == pytest.approx(1.15047154, abs=1e-8)  # metres, untouched
    ang = kinematics.from_mot(walk_mot)
    right = ang.filter(side="R")
    assert right["hip_flexion_deg"][0] == pytest.approx(6.51861582, abs=1e-8)
    assert right["knee_flexion_deg"][0] == pytest.approx(0.21599068, abs=1e-8)
    assert right["time_s"][60] == pytest.approx(1.0, abs=1e-4)  # 60 Hz from the time column
    for side in ("L", "R"):
        knee = ang.filter(side=side)["knee_flexion_deg"].to_numpy()
        assert 50.0 < knee.max() < 75.0  # swing flexion, positive
        assert knee.min() > -5.0
    # angles the model does not have are missing, never zero
    assert ang["knee_adduction_deg"].is_nan().all()
    assert ang["ankle_inversion_deg"].is_nan().all()


def test_squat_mot_flexes_hip_and_knee_positive(data_dir: Path) -> None:
    ang = kinematics.from_mot(data_dir / "opencap" / "squats_ik.mot")
    right = ang.filter(side="R")
    assert right["time_s"][100] == pytest.approx(1.0, abs=1e-6)  # 100 Hz
    assert right["hip_flexion_deg"].max() > 90.0
    assert right["knee_flexion_deg"].max() > 80.0


def test_radians_and_gait2392_signs(walk_mot: Path, tmp_path: Path) -> None:
    text = walk_mot.read_text()
    head, body = text.split("endheader\n", 1)
    names, *rows = body.splitlines()
    cols = names.split("\t")

    def rewrite(row: str, radians: bool, negate_knee: bool) -> str:
        cells = row.split("\t")
        out = []
        for j, c in enumerate(cells):
            v = float(c)
            if negate_knee and cols[j].startswith("knee_angle_"):
                v = -v
            if radians and j > 0 and not cols[j].endswith(("_tx", "_ty", "_tz")):
                v = math.radians(v)
            out.append(repr(v))
        return "\t".join(out)

    reference = kinematics.from_mot(walk_mot)
    rad = tmp_path / "rad.mot"
    rad.write_text(
        head.replace("inDegrees=yes", "inDegrees=no")
        + "endheader\n"
        + names
        + "\n"
        + "\n".join(rewrite(r, True, False) for r in rows)
        + "\n"
    )
    got = kinematics.from_mot(rad)
    np.testing.assert_allclose(
        got["knee_flexion_deg"].to_numpy(), reference["knee_flexion_deg"].to_numpy(), atol=1e-9
    )
    assert io.read_mot(rad)["pelvis_ty"][0] == pytest.approx(1.15047154, abs=1e-8)

    neg = tmp_path / "gait2392.mot"
    neg.write_text(
        head + "endheader\n" + names + "\n" + "\n".join(rewrite(r, False, True) for r in rows)
    )
    with pytest.raises(StridelabError, match=r"gait2392\.mot.*knee_flexion_sign=-1"):
        kinematics.from_mot(neg)
    flipped = kinematics.from_mot(neg, knee_flexion_sign=-1)
    np.testing.assert_allclose(
        flipped["knee_flexion_deg"].to_numpy(), reference["knee_flexion_deg"].to_numpy()
    )


def test_damaged_mot_is_named(walk_mot: Path, tmp_path: Path) -> None:
    text = walk_mot.read_text()
    cut = tmp_path / "cut.mot"
    cut.write_text(text[: len(text) // 2])  # ends mid-row
    with pytest.raises(StridelabError, match=r"cut\.mot.*line \d+ has \d+ of 42 values"):
        io.read_mot(cut)
    rows_gone = tmp_path / "rows_gone.mot"
    rows_gone.write_text("\n".join(text.splitlines()[:-5]) + "\n")
    with pytest.raises(StridelabError, match=r"rows_gone\.mot.*nRows=222"):
        io.read_mot(rows_gone)
    unitless = tmp_path / "unitless.mot"
    unitless.write_text(text.replace("inDegrees=yes", ""))
    with pytest.raises(StridelabError, match=r"unitless\.mot.*inDegrees"):
        io.read_mot(unitless)
    assert io.read_mot(unitless, in_degrees=True).height == 222
    markers = tmp_path / "markers.mot"
    markers.write_text("time\tRKnee_x\n0\t1\n")
    with pytest.raises(StridelabError, match=r"markers\.mot.*endheader"):
        io.read_mot(markers)


def test_read_points_mot_files_to_the_mot_reader(walk_mot: Path) -> None:
    import stridelab

    with pytest.raises(StridelabError, match=r"walk_ik\.mot.*read_mot"):
        stridelab.read(walk_mot)
