"""The documentation says what the code does: every CLI command is in docs/cli.md with its
current options, and every docs page is in the site's navigation."""

from __future__ import annotations

from pathlib import Path

from stridelab.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"## `stridelab {name}`" in page, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in page, (name, opt)


def test_every_page_is_in_the_navigation() -> None:
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert page.name in nav, page.name


def test_docstring_examples_run() -> None:
    """The examples written in docstrings are executed (doctest)."""
    import doctest

    from stridelab import compare
    from stridelab.report import html

    attempted = 0
    for module in (html, compare):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 2


def test_every_reason_code_is_documented() -> None:
    from stridelab.errors import REASONS

    page = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text()
    for code in REASONS:
        assert f"| `{code}` | {REASONS[code]} |" in page, code
