"""Before/after: a runner's two analyses (``stridelab analyze`` JSON reports) side by side.

For every metric and side in both reports: the change of the stride mean, its standard error
from the two sessions' stride-to-stride spread (Welch: √(sd₁²/n₁ + sd₂²/n₂)), the effect size
(Cohen's d with the pooled SD) and a plain verdict:

- ``changed``: the change exceeds 1.96 standard errors (outside the 95 % interval of no change)
  **and** is at least a medium effect (|d| ≥ 0.5, Cohen 1988);
- ``within noise``: otherwise;
- ``n/a``: a side or a spread missing.

What this measures is the change against each session's own stride-to-stride variability. It is
not a minimal detectable change between days: marker replacement and day-to-day variation add
to it and need test–retest data, which a single pair of sessions does not give. Pattern statuses
are listed before → after.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["COMPARE_SCHEMA", "compare", "load_report", "patterns_change", "to_html"]

#: The columns of :func:`compare`.
COMPARE_SCHEMA = {
    "metric": pl.String,
    "side": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "change": pl.Float64,
    "standard_error": pl.Float64,
    "effect_size_d": pl.Float64,
    "verdict": pl.String,
}

_Z95 = 1.96
_MEDIUM_EFFECT = 0.5


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A ``stridelab analyze`` JSON report; ValueError naming the file when it is not one."""
    p = Path(path)
    try:
        report = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{p}: not a readable stridelab report ({err})") from None
    if not isinstance(report, dict) or "summary" not in report:
        raise ValueError(f"{p}: not a stridelab analyze report (no 'summary')")
    return report


def _num(x: object) -> float:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


def compare(before: dict[str, Any], after: dict[str, Any]) -> pl.DataFrame:
    """Per metric and side: before and after stride means, change, standard error, effect size
    and verdict (see the module notes)."""
    b = {r["metric"]: r for r in before.get("summary", [])}
    a = {r["metric"]: r for r in after.get("summary", [])}
    rows = []
    for metric in [m for m in b if m in a]:
        for side in ("L", "R"):
            m1, s1, n1 = (_num(b[metric].get(f"{side}_{k}")) for k in ("mean", "sd", "n"))
            m2, s2, n2 = (_num(a[metric].get(f"{side}_{k}")) for k in ("mean", "sd", "n"))
            change = m2 - m1
            se = math.sqrt(s1**2 / n1 + s2**2 / n2) if min(n1, n2) >= 2 else math.nan
            pooled = (
                math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
                if min(n1, n2) >= 2
                else math.nan
            )
            d = change / pooled if pooled > 0 else math.nan
            if not (math.isfinite(change) and math.isfinite(se)):
                verdict = "n/a"
            elif se == 0:
                verdict = "changed" if change != 0 else "within noise"
            else:
                big = abs(change) > _Z95 * se and (not math.isfinite(d) or abs(d) >= _MEDIUM_EFFECT)
                verdict = "changed" if big else "within noise"
            rows.append(
                {
                    "metric": metric,
                    "side": side,
                    "before": m1,
                    "after": m2,
                    "change": change,
                    "standard_error": se,
                    "effect_size_d": d,
                    "verdict": verdict,
                }
            )
    return pl.DataFrame(rows, schema=COMPARE_SCHEMA)


def patterns_change(before: dict[str, Any], after: dict[str, Any]) -> pl.DataFrame:
    """Each pattern and side with its status before and after."""
    b = {(r["pattern"], r["side"]): r["status"] for r in before.get("patterns", [])}
    a = {(r["pattern"], r["side"]): r["status"] for r in after.get("patterns", [])}
    rows = [
        {"pattern": p, "side": s, "before": b.get((p, s)), "after": a.get((p, s))}
        for (p, s) in dict.fromkeys([*b, *a])
    ]
    schema = {"pattern": pl.String, "side": pl.String, "before": pl.String, "after": pl.String}
    return pl.DataFrame(rows, schema=schema)


def to_html(table: pl.DataFrame, statuses: pl.DataFrame, before_name: str, after_name: str) -> str:
    """A self-contained HTML page of the comparison."""
    from stridelab.patterns import load_thresholds
    from stridelab.report.html import human_label

    esc = html.escape
    titles = {k: str(v.get("title", k)) for k, v in load_thresholds(None)["patterns"].items()}

    def fmt(x: object) -> str:
        v = _num(x)
        return "" if not math.isfinite(v) else f"{v:.3g}"

    metric_rows = "".join(
        f"<tr class='{esc(str(r['verdict']).replace(' ', '-').replace('/', ''))}'>"
        f"<td>{esc(human_label(r['metric']))}</td><td>{esc(r['side'])}</td>"
        f"<td>{fmt(r['before'])}</td>"
        f"<td>{fmt(r['after'])}</td><td>{fmt(r['change'])}</td>"
        f"<td>{fmt(r['standard_error'])}</td><td>{fmt(r['effect_size_d'])}</td>"
        f"<td>{esc(r['verdict'])}</td></tr>"
        for r in table.iter_rows(named=True)
    )
    pattern_rows = "".join(
        f"<tr><td>{esc(titles.get(r['pattern'], r['pattern']))}</td><td>{esc(r['side'])}</td>"
        f"<td>{esc(str(r['before']).replace('_', ' '))}</td>"
        f"<td>{esc(str(r['after']).replace('_', ' '))}</td></tr>"
        for r in statuses.iter_rows(named=True)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>stridelab before/after</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child{{text-align:left}}
tr.changed td{{background:#fff3cd}}</style></head><body>
<h1>Before / after</h1>
<p>Before: {esc(before_name)}<br>After: {esc(after_name)}</p>
<p>"changed": the change exceeds 1.96 standard errors of the two sessions' stride-to-stride
spread and is at least a medium effect (|d| ≥ 0.5). This is change against each session's own
variability, not a minimal detectable change between days. A movement screen, never a
diagnosis.</p>
<h2>Patterns</h2><table><tr><th>pattern</th><th>side</th><th>before</th><th>after</th></tr>
{pattern_rows}</table>
<h2>Metrics (stride means)</h2><table><tr><th>metric</th><th>side</th><th>before</th>
<th>after</th><th>change</th><th>standard error</th><th>effect size d</th><th>verdict</th></tr>
{metric_rows}</table></body></html>
"""
