"""README and CI stay in step: the Quick start has exactly two commands and CI runs the second."""

from __future__ import annotations

import re

from newsdesk_testing import REPO


def quick_start_commands() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = {}
    for name in ("demo-command", "test-command"):
        block = re.search(rf"<!-- {name} -->\s*```\s*\n(.*?)\n```\s*<!-- /{name} -->", text, re.S)
        assert block, f"README has no {name} block"
        lines = [line for line in block.group(1).splitlines() if line.strip()]
        assert len(lines) == 1, f"{name} must be one command"
        found[name] = lines[0]
    return found


def test_quick_start_has_the_two_commands() -> None:
    commands = quick_start_commands()
    assert commands["demo-command"].endswith("newsdesk --demo")
    assert "pytest" in commands["test-command"] and "'.[test]'" in commands["test-command"]


def test_ci_runs_the_readme_test_command_and_rejects_empty_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci  # the command is read from README, not copied
    assert '"$status" -eq 5' in ci  # pytest's "no tests collected"
    assert "passed" in ci
