"""Shared fixtures: hermetic store/config locations and the shared data folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from newsdesk_testing import wait_for_snapshots


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's store, config or XDG dirs; pin the time zone."""
    monkeypatch.setenv("NEWSDESK_STORE", str(tmp_path / "default-store"))
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture(autouse=True)
def _snapshots_finished():
    """A CLI write's automatic snapshot runs in a process of its own (store.care.auto_snapshot):
    every one a test's `main()` started has ended before the test's files go."""
    yield
    cli = sys.modules.get("tui.cli")
    if cli is not None:
        wait_for_snapshots()


@pytest.fixture
def store_root(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_root: Path):
    from store import NewsStore

    with NewsStore(store_root) as opened:
        yield opened
