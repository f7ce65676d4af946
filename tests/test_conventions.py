"""The canonical lab frame, tested once on anatomy: x forward, y left, z up, metres."""

from __future__ import annotations

import numpy as np

import stridelab


def test_canonical_frame_on_the_example_runner() -> None:
    t = stridelab.read(stridelab.example_path("static"))

    def mean(name: str) -> np.ndarray:
        return np.nanmean(t.marker(name), axis=0)

    # up: pelvis above heels, by roughly a leg length in metres
    assert 0.7 < mean("R.ASIS")[2] - mean("R.Heel.Bottom")[2] < 1.2
    # left: left ASIS on the +y side of the right one, by a pelvis width
    assert 0.15 < mean("L.ASIS")[1] - mean("R.ASIS")[1] < 0.35
    # forward: toes ahead of heels, ASIS ahead of PSIS
    assert mean("R.MT1")[0] > mean("R.Heel.Top")[0] + 0.1
    assert mean("L.ASIS")[0] > mean("L.PSIS")[0] + 0.08
    # the transform is a proper rotation
    m = np.array(t.axes.matrix)
    np.testing.assert_allclose(m @ m.T, np.eye(3))
    assert np.linalg.det(m) == 1.0


def test_forces_point_up_and_time_starts_at_zero() -> None:
    t = stridelab.read(stridelab.example_path())
    fz = t.force_plates[0].force_n[:, 2]
    assert fz.max() > 1000
    assert fz.min() > -50
    assert t.time_s[0] == 0.0
    assert t.time_s[-1] == (t.n_frames - 1) / 150.0


def test_given_axes_override_detection() -> None:
    auto = stridelab.read(stridelab.example_path())
    given = stridelab.read(stridelab.example_path(), vertical="+Y", progression="+X")
    np.testing.assert_array_equal(auto.points, given.points)
    kept = stridelab.read(stridelab.example_path(), axes="file")
    np.testing.assert_allclose(kept.points[..., 1], auto.points[..., 2])  # file Y is up
