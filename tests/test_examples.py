"""The numbered examples in examples/python run as they are, on the shared real data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples" / "python").glob("[0-9][0-9]_*.py"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, data_dir: Path) -> None:
    env = {**os.environ, "STRIDELAB_SHARED": str(data_dir.parents[1])}
    # the examples run from their own folder: a relative PYTHONPATH (a dev checkout) made absolute
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p
        )
    res = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=script.parent,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip()
