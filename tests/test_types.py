"""The type checker: `python -m mypy` with the [tool.mypy] configuration in pyproject.toml, which checks
articles/ strictly and store/ and tui/ with the base options.

mypy runs once for the module; each package is a test of its own, so that a package with type errors
is named in the report.  Every package must be clean.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from newsdesk_testing import REPO

ERROR = re.compile(r"^(?P<path>[^:\s]+\.pyi?):(?P<line>\d+): error: ")
PARTS = ("articles", "store", "tui")


def part_of(path: str) -> str:
    """Which part of the code an error belongs to: its top-level package."""
    return path.split("/")[0]


@pytest.fixture(scope="module")
def errors_by_part() -> dict[str, list[str]]:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the test extra: pip install -e '.[test]')")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", "/dev/null", "--no-error-summary"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    parts: dict[str, list[str]] = defaultdict(list)
    for line in done.stdout.splitlines():
        if match := ERROR.match(line):
            parts[part_of(match["path"])].append(line)
    # mypy exits 1 for type errors and 2 for a crash or a bad configuration.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert (done.returncode == 1) == bool(parts), done.stdout + done.stderr
    return parts


@pytest.mark.parametrize("part", PARTS)
def test_mypy_finds_no_errors(errors_by_part: dict[str, list[str]], part: str) -> None:
    errors = errors_by_part.get(part, [])
    assert not errors, f"{len(errors)} mypy errors in {part}:\n" + "\n".join(errors)


def test_every_error_belongs_to_a_part(errors_by_part: dict[str, list[str]]) -> None:
    """An error outside the three packages (a test, a stub) would otherwise go unreported."""
    assert set(errors_by_part) <= set(PARTS), dict(errors_by_part)
