"""The runner report printed to PDF by headless Chromium (Debian's ``chromium``), the browser
the HTML is made for: the PDF is exactly the page a clinician would print."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from stridelab.errors import DataError
from stridelab.io import _atomic

__all__ = ["browser", "html_to_pdf"]


def browser() -> str | None:
    """The Chromium executable on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(page: Path, pdf: Path, *, timeout_s: float = 120.0) -> Path:
    """Prints ``page`` (an HTML file) to ``pdf`` with headless Chromium, atomically. DataError
    naming what is missing when no Chromium is installed or it fails."""
    exe = browser()
    if exe is None:
        raise DataError(
            f"{pdf}: --pdf needs Chromium (e.g. `apt-get install chromium`); the HTML report "
            f"{page} was written"
        )
    with _atomic(pdf) as tmp:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
        try:
            subprocess.run(
                [exe, *flags, f"--print-to-pdf={tmp}", page.resolve().as_uri()],
                capture_output=True,
                timeout=timeout_s,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as err:
            raise DataError(f"{pdf}: Chromium could not print {page}: {err}") from None
        if not tmp.exists() or tmp.stat().st_size == 0 or not tmp.read_bytes().startswith(b"%PDF"):
            raise DataError(f"{pdf}: Chromium wrote no PDF for {page}")
    return pdf
