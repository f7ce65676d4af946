"""The canonical lab frame, tested once on anatomy: x forward, y left, z up, metres."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import stridelab
from stridelab.pipeline import process


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
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(m) == pytest.approx(1.0, abs=1e-12)


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
    # the same axes; the automatic read also turns the lab about vertical onto the feet's line
    assert (auto.axes.vertical, auto.axes.progression) == ("+Y", "+X")
    assert "turned" in auto.axes.method
    assert "turned" not in given.axes.method
    turn = np.array(auto.axes.matrix) @ np.array(given.axes.matrix).T
    np.testing.assert_allclose(turn[2], [0.0, 0.0, 1.0], atol=1e-12)  # about vertical only
    np.testing.assert_allclose(auto.points, given.points @ turn.T, atol=1e-12)
    kept = stridelab.read(stridelab.example_path(), axes="file")
    np.testing.assert_allclose(kept.points[..., 1], auto.points[..., 2])  # file Y is up


def test_no_import_cycles_between_modules() -> None:
    """Module-level imports between stridelab's modules form no cycle (imports inside
    functions, made lazily to break one, are not counted)."""
    import ast
    from pathlib import Path

    root = Path(__file__).parent.parent / "python" / "stridelab"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        name = ".".join(p for p in rel.parts if p != "__init__")
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "stridelab":
                    deps |= {f"stridelab.{a.name}" for a in node.names}
                elif node.module.startswith("stridelab."):
                    deps.add(node.module)
        graph[name] = {d for d in deps if d != name}
    modules = set(graph)
    # a dependency on a package's submodule also depends on the package's __init__
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if d not in modules:
                continue
            if state.get(d) == 1:
                cycle = [*stack[stack.index(d) :], d] if d in stack else [m, d]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if d not in state:
                visit(d, [*stack, d])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [m])


def _turned_copy(trial: stridelab.Trial, deg: float, dest: Path) -> stridelab.Trial:
    """The trial as a lab whose axes are turned by ``deg`` about vertical (and moved) would
    record it, written to a TRC file and read back."""
    a = np.radians(deg)
    turn = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    points = trial.points @ turn.T + np.array([1.3, -0.7, 0.0])
    dataclasses.replace(trial, points=np.ascontiguousarray(points), force_plates=()).write(dest)
    return stridelab.read(dest)


@pytest.mark.parametrize(
    ("run", "static"),
    [
        ("rbds/RBDS032runT35markers.txt", "rbds/RBDS032static.txt"),
        ("ric/20140515T133244_run.c3d", "ric/20140515T133244_static.c3d"),
        ("opencap/walk.trc", None),
    ],
)
def test_a_lab_turned_about_vertical_gives_the_same_strides(
    data_dir: Path, tmp_path: Path, run: str, static: str | None
) -> None:
    """Lab axes come from a calibration frame laid on the floor, not from the treadmill or the
    walkway. A treadmill (RBDS, RIC) or a walk (OpenCap) recorded at 30 deg to the lab's x
    axis, with its static at -20 deg, gives the same per-stride table: the reader turns the lab
    onto the direction of travel (the feet's fore-aft line on a treadmill, the displacement
    overground, the way the pelvis or body faces in a static). Before, the axis detection
    snapped to the nearest lab axis and the pelvis angles, the shank angle, stride length and
    speed took the heading in (RIC: pelvic obliquity range 5.6 -> 8.0 deg, strides 1.83 ->
    1.58 m)."""
    trial = stridelab.read(data_dir / run)
    stand = stridelab.read(data_dir / static) if static else None
    # both sides of the comparison make the same TRC round trip (4-decimal mm)
    plain = _turned_copy(trial, 0.0, tmp_path / "plain.trc")
    turned = _turned_copy(trial, 30.0, tmp_path / "turned.trc")
    assert "turned +30.0 deg" in turned.axes.method, turned.axes.method
    statics = [None, None]
    if stand is not None:
        statics = [
            _turned_copy(stand, 0.0, tmp_path / "plain_static.trc"),
            _turned_copy(stand, -20.0, tmp_path / "turned_static.trc"),
        ]
        assert "turned -20.0 deg" in statics[1].axes.method, statics[1].axes.method
    a = process(plain, statics[0]).table
    b = process(turned, statics[1]).table
    assert a.height == b.height >= 4  # the OpenCap walk has 4 strides, the runs 30-40
    for col in a.columns:
        if a[col].dtype == pl.Float64:
            x, y = a[col].to_numpy(), b[col].to_numpy()
            np.testing.assert_allclose(y, x, atol=1e-3, rtol=1e-4, equal_nan=True, err_msg=col)
