"""Terminal summary of a runner's screen."""

from __future__ import annotations

import polars as pl

from stridelab.patterns import evidence_items

_MARK = {
    "flagged": "FLAGGED",
    "borderline": "borderline",
    "clear": "clear",
    "not_assessable": "n/a",
}


def _key_numbers(evidence: object, side: str) -> str:
    parts = []
    for e in evidence_items(evidence):
        if e.get("role") != "decides":
            continue
        if "score" in e:
            return f"score {e['score']}"
        name = e["metric"].replace("_deg", " deg").replace("_pct_leg", " %leg").replace("_", " ")
        if "left_minus_right" in e:
            parts.append(f"{name} L-R {e['left_minus_right']:+.1f}")
        else:
            value = e.get(f"{'L' if side == 'both' else side}_median")
            if value is not None and value == value:
                z = f" (z {e['z']:+.1f})" if "z" in e and e["z"] == e["z"] else ""
                parts.append(f"{name} {value:.1f}{z}")
    return "; ".join(parts)


def terminal_summary(runner: str, results: pl.DataFrame, n_strides: dict[str, int]) -> str:
    """A table of patterns with status and the numbers that decided it."""
    lines = [
        f"{runner}: {n_strides.get('L', 0)} left and {n_strides.get('R', 0)} right strides",
        f"  {'pattern':<24} {'side':<5} {'status':<11} key numbers",
    ]
    for r in results.iter_rows(named=True):
        flag = " (provisional)" if r["provisional"] and r["status"] != "not_assessable" else ""
        numbers = (
            r["reason"]
            if r["status"] == "not_assessable"
            else _key_numbers(r["evidence"], r["side"])
        )
        lines.append(
            f"  {r['pattern']:<24} {r['side']:<5} {_MARK[r['status']]:<11} {numbers}{flag}"
        )
    note = results["note"][0] if results.height else ""
    lines.append(f"  {note}")
    return "\n".join(lines)
