"""Reports of an analysis: terminal summary, JSON and a self-contained HTML page per runner
(inline SVG plots, no scripts or network)."""

from stridelab.report.html import html_report
from stridelab.report.text import terminal_summary

__all__ = ["html_report", "terminal_summary"]
