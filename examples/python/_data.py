"""Where the examples find the shared real data: $STRIDELAB_SHARED or ../shared beside the repo."""

import os
from pathlib import Path

SHARED = Path(os.environ.get("STRIDELAB_SHARED", Path(__file__).resolve().parents[3] / "shared"))
RUNNING = SHARED / "data" / "running"
