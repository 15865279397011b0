"""Where things live in a store directory, and how ids map to files."""

from __future__ import annotations

import os
import re
from pathlib import Path

STATE_SHARDS = 64

STORE_FILE = "store.json"
FEEDS_FILE = "feeds.json"
VIEWS_FILE = "views.json"
ENTITIES_FILE = "entities.json"
TRASH_FILE = "trash.json"
STORIES_FILE = "stories.json"
LOCK_FILE = "newsdesk.lock"
INDEX_FILE = "index.sqlite"
TEXT_DIR = "text-index"
ARTICLES_DIR = "articles"
STATE_DIR = "state"
SEGMENT_RE = re.compile(r"^seg-(\d{6})\.json$")
STATE_RE = re.compile(r"^state-([0-9a-f]{2})\.json$")


def segment_number(rel: str) -> int:
    """'articles/seg-000012.json' -> 12."""
    return int(SEGMENT_RE.match(rel.split("/", 1)[1]).group(1))  # type: ignore[union-attr]


def shard_number(rel: str) -> int:
    """'state/state-0a.json' -> 10."""
    return int(STATE_RE.match(rel.split("/", 1)[1]).group(1), 16)  # type: ignore[union-attr]


def doc_id(article_id: str) -> int:
    """The TinyDB document id of an article: its 12 hex digits as a number (deterministic, so no
    process ever needs TinyDB's per-process next-id counter)."""
    return int(article_id, 16)


def shard_of(article_id: str) -> int:
    return int(article_id[:2], 16) % STATE_SHARDS


def segment_path(root: Path, seg: int) -> Path:
    return root / ARTICLES_DIR / f"seg-{seg:06d}.json"


def state_path(root: Path, shard: int) -> Path:
    return root / STATE_DIR / f"state-{shard:02x}.json"


def is_state_shard(rel: str) -> bool:
    """'state/state-0a.json' and the like: a file of tags and reading state only."""
    directory, _, name = rel.partition("/")
    return directory == STATE_DIR and STATE_RE.match(name) is not None


def is_indexed_file(rel: str) -> bool:
    """Article segments and state shards: the files the derived index follows."""
    return rel.startswith((ARTICLES_DIR + "/", STATE_DIR + "/"))


def scan_tinydb_files(root: Path) -> list[str]:
    """The TinyDB files present, relative to the root (to rebuild a lost manifest)."""
    found = [name for name in (STORE_FILE, FEEDS_FILE, VIEWS_FILE, ENTITIES_FILE, TRASH_FILE, STORIES_FILE) if (root / name).exists()]
    for directory, pattern in ((ARTICLES_DIR, SEGMENT_RE), (STATE_DIR, STATE_RE)):
        try:
            names = os.listdir(root / directory)
        except FileNotFoundError:
            continue
        found += [f"{directory}/{name}" for name in names if pattern.match(name)]
    return found
