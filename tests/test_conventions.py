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
