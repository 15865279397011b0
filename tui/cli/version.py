"""`newsdesk --version`, answered with os and sys alone (tui.cli.main asks it before anything
else is imported)."""

from __future__ import annotations

import os
import sys


def installed_version() -> str:
    """The version of the installed newsdesk: the `Version:` line of its METADATA, found where
    importlib.metadata would look first (the dist-info directory on sys.path) without importing
    importlib.metadata (~20 ms: email, zipfile, csv); importlib.metadata when that fails."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("newsdesk-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8") as metadata:
                        for line in metadata:
                            if line.startswith("Version:"):
                                return line.partition(":")[2].strip()
                            if not line.strip():
                                break  # the headers end: the body is the README
                except OSError:
                    pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsdesk")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
