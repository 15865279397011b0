"""Where the store and the config live: flag, then environment, then the platform's user dirs."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "NEWSDESK_STORE"
CONFIG_ENV = "NEWSDESK_CONFIG"


def store_dir(flag: str | None) -> Path:
    """`--store`, then NEWSDESK_STORE, then the user data dir (e.g. ~/.local/share/newsdesk)."""
    if flag:
        return Path(flag).expanduser()
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("newsdesk", appauthor=False)


def config_file(flag: str | None) -> Path:
    """`--config`, then NEWSDESK_CONFIG, then config.toml in the user config dir."""
    if flag:
        return Path(flag).expanduser()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    from platformdirs import user_config_path

    return user_config_path("newsdesk", appauthor=False) / "config.toml"
