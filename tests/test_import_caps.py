"""What an import reads, and how much (issue 15, items 6, 7 and 8).

- Only regular files are read: a FIFO, a character device or a link to one ends the import at
  once, in a folder and named on the command line; stdin ('-') is capped like a file.
- A source's type is told from its first bytes and its size is checked before it is read: a
  sparse 2 GB file costs neither 2 GB of memory nor the time to read it.
- Every bad JSON Lines record is counted; the first ones are named with their line, and the
  rest are summed up in a line that says how many.
- A huge article body is cut at import, so that a tag on it stays cheap.

Every import here is a real CLI process, its peak RSS read from its own rusage (os.wait4) and its
address space limited (RLIMIT_AS), so that a regression fails the test instead of exhausting the
machine.  The files are real: a FIFO from mkfifo, symlinks to /dev/zero and /dev/urandom, sparse
files from os.truncate."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson
import pytest

from articles.importers.base import MAX_BODY_CHARS, MAX_FILE_BYTES
from newsdesk_testing import shared_path
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "shanghai-mayor-visits-israel.txt"
SPARSE = 2 * 1024**3
"""A 2 GB sparse file: no disk space, and 2 GB of memory if anything reads it whole."""
ADDRESS_SPACE = 2 * 1024**3
"""RLIMIT_AS of each import process: a normal import (entity extraction included) fits in it."""
PEAK_RSS_MB = 400
"""The bound on an import's peak resident memory, whatever its sources."""
TIMEOUT = 90.0


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float
    seconds: float

    def summary(self) -> dict[str, object]:
        return json.loads(self.out)


PEAK_REPORTER = """
import atexit, os, runpy, sys

def report_peak():
    # VmHWM belongs to this process's own address space, which exec made afresh; rusage's
    # ru_maxrss does not: it keeps the RSS of the (forked) pytest process at exec time.
    with open("/proc/self/status") as status, open(os.environ["NEWSDESK_TEST_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))

atexit.register(report_peak)
sys.argv = ["newsdesk", *sys.argv[1:]]
runpy.run_module("tui.cli", run_name="__main__")
"""


def cli(tmp_path: Path, *args: str, stdin: IO[bytes] | int | None = None, config: str = "") -> Run:
    """The CLI in a process of its own, under RLIMIT_AS; its peak RSS as its own VmHWM."""
    config_path = tmp_path / "config.toml"
    config_path.write_text(config)
    peak_path = tmp_path / "peak-kb.txt"
    peak_path.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NEWSDESK_CONFIG": str(config_path),
        "NEWSDESK_TEST_PEAK_FILE": str(peak_path),
    }
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", PEAK_REPORTER, *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=out,
            stderr=err,
            preexec_fn=limit,
        )
    timer = threading.Timer(TIMEOUT, process.kill)  # a hang fails the test, it does not hang it
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        process.returncode = 0  # reaped by wait4; keep Popen from waiting again
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    assert seconds < TIMEOUT, f"killed after {TIMEOUT} s: {' '.join(args)}"
    # a process killed before exit has no report; its rusage is an upper bound then
    peak_kb = int(peak_path.read_text()) if peak_path.exists() else usage.ru_maxrss
    return Run(code, out_path.read_text(), err_path.read_text(), peak_kb / 1024, seconds)


def sparse(path: Path, head: bytes = b"") -> Path:
    """A 2 GB file whose first bytes are `head` and the rest a hole."""
    path.write_bytes(head)
    os.truncate(path, SPARSE)
    return path


FEED_HEAD = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Huge</title>\n' + b"<!-- padding -->\n" * 5000
TEXT_HEAD = b"A title line\n\n" + b"Some prose sentence that goes on and on. " * 2000
JSON_HEAD = b'{"items": [' + b'{"title": "Record", "body": "Some text."}, ' * 2000


def bounded(run: Run) -> None:
    assert run.peak_mb < PEAK_RSS_MB, f"peak RSS {run.peak_mb:.0f} MB\n{run.err}"
    assert "Traceback" not in run.err and "MemoryError" not in run.err, run.err


# -- item 6: only regular files, size before reading, type from the first bytes ----------------------
def test_a_folder_of_pipes_devices_and_sparse_files_imports_the_rest_in_bounded_memory(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / SEED_NAME).write_bytes(shared_path("seed", SEED_NAME).read_bytes())
    os.mkfifo(news / "pipe.xml")
    (news / "zero.json").symlink_to("/dev/zero")
    (news / "urandom.xml").symlink_to("/dev/urandom")
    sparse(news / "huge.bin")  # unknown type: skipped after its first bytes
    sparse(news / "huge.xml", FEED_HEAD)  # a feed, too big: refused before it is read
    sparse(news / "huge.txt", TEXT_HEAD)
    sparse(news / "huge.json", JSON_HEAD)
    device = news / "zero-device"
    try:  # a device node inside the folder (root only), a link to it too
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 5))
        (news / "inside.json").symlink_to(device.name)
    except PermissionError:
        pass
    run = cli(tmp_path, "--store", str(tmp_path / "store"), "import", "--no-entities", "--json", str(news))
    bounded(run)
    summary = run.summary()
    assert summary["imported"] == 1
    assert summary["failed"] == 3 and run.code == 1  # the three known types too big to read
    for name in ("huge.xml", "huge.txt", "huge.json"):
        assert f"{news / name}: larger than the 50 MB limit ([import] max_file_bytes)" in run.err
    assert run.seconds < 30


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "link to /dev/zero", "FIFO"])
def test_a_named_pipe_or_device_is_refused_with_what_it_is(tmp_path: Path, kind: str) -> None:
    if kind == "FIFO":
        source = tmp_path / "pipe.xml"
        os.mkfifo(source)
        what = "a named pipe (FIFO)"
    elif kind.startswith("link"):
        source = tmp_path / "zero.json"
        source.symlink_to("/dev/zero")
        what = "a character device"
    else:
        source, what = Path(kind), "a character device"
    run = cli(tmp_path, "--store", str(tmp_path / "store"), "import", "--no-entities", "--json", str(source))
    bounded(run)
    assert run.code == 1 and run.summary()["failed"] == 1
    assert f"{source}: {what}, not a regular file: " in run.err
    assert "'-' for stdin" in run.err  # and how to read it anyway


@pytest.mark.parametrize(
    ("name", "head", "said"),
    [
        ("huge.bin", b"", "not a format newsdesk reads"),
        ("huge.dat", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "not a format newsdesk reads"),
        ("huge.xml", FEED_HEAD, "larger than the 50 MB limit"),
        ("huge.txt", TEXT_HEAD, "larger than the 50 MB limit"),
        ("huge.json", JSON_HEAD, "larger than the 50 MB limit ([import] max_file_bytes); a JSON export streams"),
    ],
)
def test_a_sparse_2gb_file_named_explicitly_is_refused_unread(tmp_path: Path, name: str, head: bytes, said: str) -> None:
    source = sparse(tmp_path / name, head)
    run = cli(tmp_path, "--store", str(tmp_path / "store"), "import", "--no-entities", "--json", str(source))
    bounded(run)
    assert run.code == 1 and run.summary()["failed"] == 1
    assert f"{source}: {said}" in run.err
    assert run.seconds < 30


@pytest.mark.parametrize("what", ["/dev/zero", "/dev/urandom", "sparse text", "endless pipe"])
def test_stdin_is_capped_like_a_file(tmp_path: Path, what: str) -> None:
    store = str(tmp_path / "store")
    if what == "endless pipe":  # text without end, of no known size
        writer = subprocess.Popen(["yes", "Some prose that never ends, sentence after sentence."], stdout=subprocess.PIPE)
        try:
            run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", "-", stdin=writer.stdout)
        finally:
            writer.kill()
            writer.wait()
            assert writer.stdout is not None
            writer.stdout.close()
        said = "larger than the 50 MB limit"
    else:
        path = sparse(tmp_path / "huge.txt", TEXT_HEAD) if what == "sparse text" else Path(what)
        with open(path, "rb") as stdin:
            run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", "-", stdin=stdin)
        said = "larger than the 50 MB limit" if what == "sparse text" else "not a format newsdesk reads"
    bounded(run)
    assert run.code == 1 and run.summary()["failed"] == 1
    assert f"<stdin>: {said}" in run.err


def test_stdin_still_reads_a_file_and_streams_json_lines(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    with open(shared_path("seed", SEED_NAME), "rb") as stdin:
        run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", "-", stdin=stdin)
    assert run.code == 0 and run.summary()["imported"] == 1, run.err
    # JSON Lines larger than the cap stream, one line at a time (here a cap of 100 KB)
    lines = tmp_path / "many.jsonl"
    lines.write_bytes(b"".join(orjson.dumps({"title": f"Record {n}", "body": "Some text. " * 20}) + b"\n" for n in range(3000)))
    assert lines.stat().st_size > 500_000
    with open(lines, "rb") as stdin:
        run = cli(
            tmp_path, "--store", store, "import", "--no-entities", "--json", "-",
            stdin=stdin, config="[import]\nmax_file_bytes = 100000\n",
        )  # fmt: skip
    assert run.code == 0 and run.summary()["imported"] == 3000, run.err


def test_the_file_cap_is_configurable_and_holds_each_json_line(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    config = "[import]\nmax_file_bytes = 10000\n"
    page = tmp_path / "page.txt"
    page.write_bytes(TEXT_HEAD)  # 80 KB of text
    run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", str(page), config=config)
    assert run.code == 1 and f"{page}: larger than the 10,000 bytes limit ([import] max_file_bytes)" in run.err
    # a JSONL file with a line longer than the cap: the lines before it import, the rest is not read
    records = tmp_path / "records.jsonl"
    long_line = orjson.dumps({"title": "Long", "body": "x " * 20_000})
    records.write_bytes(b'{"title": "One"}\n{"title": "Two"}\n' + long_line + b'\n{"title": "Three"}\n' + long_line)
    run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", str(records), config=config)
    assert run.summary()["imported"] == 2 and run.summary()["failed"] == 1, run.err
    assert f"{records}:3: invalid JSON (a line longer than the 10,000-byte limit" in run.err
    assert "the rest was not read" in run.err
    # JSON Lines on stdin that end in a line without end: bounded in memory and in time
    endless = """printf '{"title": "Four"}\\n{"title": "Five"}\\n'; yes x | tr -d '\\n'"""
    feeder = subprocess.Popen(["sh", "-c", endless], stdout=subprocess.PIPE)
    try:
        run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", "-", stdin=feeder.stdout)
    finally:
        feeder.kill()
        feeder.wait()
        assert feeder.stdout is not None
        feeder.stdout.close()
    bounded(run)
    assert run.summary()["imported"] == 2 and "<stdin>:3: invalid JSON (a line longer than the 52,428,800-byte" in run.err


def test_bounded_lines_hold_each_line_to_the_limit() -> None:
    import io

    from articles.importers import bounded_lines

    data = b"a\n" + b"y" * 10 + b"\n" + b"x" * 50 + b"\nbb\n"
    for head_size in range(len(data) + 1):  # whatever part was read to tell the type
        for chunk in (1, 3, 7, 1000):
            head, rest = data[:head_size], io.BytesIO(data[head_size:])
            got = list(bounded_lines(head, rest, 20, chunk=chunk))
            assert got == [b"a\n", b"y" * 10 + b"\n", None], (head_size, chunk)
            if chunk == 1 and head_size < 20:
                assert rest.tell() < len(rest.getvalue())  # not read past the long line
    assert list(bounded_lines(b"", io.BytesIO(b""), 20)) == []
    assert list(bounded_lines(b"one", io.BytesIO(b" line\ntwo"), 20)) == [b"one line\n", b"two"]
    assert list(bounded_lines(b"", io.BytesIO(b"z" * 20), 20)) == [b"z" * 20]


# -- item 7: every bad JSON Lines record counted ---------------------------------------------------------
def test_every_bad_jsonl_line_is_counted_and_the_first_are_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "mostly-bad.jsonl"
    good = orjson.dumps({"title": "The one good record", "body": "It has some text."}).decode()
    source.write_text("".join((good if n == 50_001 else f"not json {n}") + "\n" for n in range(1, 100_001)))
    store = str(tmp_path / "store")

    assert main(["--store", store, "import", "--no-entities", "--json", str(source)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["imported"] == 1
    assert json.loads(out)["failed"] == 99_999  # every bad line, none lost
    named = [line for line in err.splitlines() if line.startswith(f"{source}:")]
    assert [line.split(":")[1] for line in named] == [str(n) for n in range(1, 101)]  # the first 100, by line
    assert named[0].startswith(f"{source}:1: invalid JSON (")
    assert "99,899 more failures not shown (99,999 in all;" in err and "--verbose" in err

    # --verbose: the first 1,000 one by one, then the rest before the good line in one line, then each
    assert main(["--store", store, "import", "--no-entities", "--json", "--verbose", str(source)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["failed"] == 99_999 and json.loads(out)["duplicates"] == 1
    lines = err.splitlines()
    assert lines[999].startswith(f"{source}:1000: invalid JSON (")
    assert lines[1000] == f"{source}: 49,000 more bad records on lines 1,001-50,000"
    assert lines[1001].startswith(f"{source}:50002: ") and lines[-1].startswith(f"{source}:100000: ")
    assert len(lines) == 1000 + 1 + 50_000 - 1

    # no good line at all: the source fails once, saying how many
    source.write_text("".join(f"not json {n}\n" for n in range(1, 5001)))
    assert main(["--store", store, "import", "--no-entities", "--json", str(source)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["failed"] == 1
    assert f"{source}: no record could be imported (line 1: invalid JSON" in err
    assert "all 5,000 records are bad)" in err


def test_failures_across_many_sources_are_counted_and_the_first_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sources = []
    for n in range(150):
        path = tmp_path / f"broken-{n:03d}.json"
        path.write_text("{not json")
        sources.append(str(path))
    assert main(["--store", str(tmp_path / "store"), "import", "--no-entities", "--json", *sources]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["failed"] == 150
    assert len([line for line in err.splitlines() if "broken-" in line]) == 100
    assert "50 more failures not shown (150 in all;" in err


# -- item 8: a huge body is cut at import ------------------------------------------------------------------
def huge_body(chars: int) -> str:
    paragraph = "Word " * 199 + "end.\n\n"
    return paragraph * (chars // len(paragraph))


def test_a_huge_body_is_cut_at_import_and_a_tag_on_it_stays_cheap(tmp_path: Path) -> None:
    source = tmp_path / "huge.jsonl"
    body = huge_body(40_000_000)
    source.write_bytes(
        orjson.dumps({"title": "A huge article", "url": "https://example.org/huge", "body": body})
        + b"\n"
        + orjson.dumps({"title": "A small one", "url": "https://example.org/small", "body": "Some text."})
        + b"\n"
    )
    store = str(tmp_path / "store")
    run = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", str(source))
    bounded(run)
    assert run.code == 0 and run.summary()["imported"] == 2 and run.summary()["warnings"] == 1
    found = cli(tmp_path, "--store", store, "search", "--json", "title:huge")
    article_id = json.loads(found.out)[0]["id"]
    assert f"{source}: warning: article {article_id} (A huge article): body cut at 1,000,000 of {len(body.strip()):,}" in run.err

    shown = json.loads(cli(tmp_path, "--store", store, "show", "--json", article_id).out)
    assert len(shown["body"]) <= MAX_BODY_CHARS
    assert shown["body"].endswith(f"end.\n\n[newsdesk: the text was cut here; it had {len(body.strip()):,} characters]")

    tagged = cli(tmp_path, "--store", store, "tag", "+big", "--", f"id:{article_id}")
    assert tagged.code == 0, tagged.err
    assert tagged.peak_mb < 200, f"a tag on it took {tagged.peak_mb:.0f} MB"
    assert tagged.seconds < 10  # a hang guard; it takes well under a second

    # importing the same file again finds the cut article unchanged
    again = cli(tmp_path, "--store", store, "import", "--no-entities", "--json", str(source))
    assert again.summary()["duplicates"] == 2 and again.summary()["updated"] == 0, again.err


def test_the_body_cap_is_configurable_and_a_text_keyed_article_keeps_its_identity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[import]\nmax_body_chars = 5000\n")
    source = tmp_path / "long.txt"
    source.write_text("A long article\n\n" + huge_body(20_000))  # no url: keyed by its text
    store = str(tmp_path / "store")
    args = ["--store", store, "--config", str(config), "import", "--no-entities", "--json", str(source)]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["imported"] == 1 and "body cut at 5,000 of" in err
    assert main(["--store", store, "list", "--json"]) == 0
    (article,) = json.loads(capsys.readouterr().out)
    assert main(["--store", store, "show", "--json", article["id"]]) == 0
    body = json.loads(capsys.readouterr().out)["body"]
    assert len(body) <= 5000 and "[newsdesk: the text was cut here;" in body
    assert main(args) == 0  # the same text again: the same article
    assert json.loads(capsys.readouterr().out)["duplicates"] == 1
    # its own export comes back as it was, not cut again
    assert main(["--store", store, "export", "--format", "jsonl"]) == 0
    export = tmp_path / "export.jsonl"
    export.write_text(capsys.readouterr().out)
    other = str(tmp_path / "other")
    assert main(["--store", other, "--config", str(config), "import", "--no-entities", "--json", str(export)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["imported"] == 1 and "cut" not in err
    assert main(["--store", other, "show", "--json", article["id"]]) == 0
    assert json.loads(capsys.readouterr().out)["body"] == body


def test_the_caps_have_their_documented_defaults() -> None:
    assert MAX_FILE_BYTES == 50 * 1024 * 1024 and MAX_BODY_CHARS == 1_000_000


def test_restore_tags_reads_stdin_a_line_at_a_time_in_bounded_memory(tmp_path: Path) -> None:
    """The same class of bug: `restore-tags` read stdin by lines, and /dev/zero has none."""
    store = str(tmp_path / "store")
    assert cli(tmp_path, "--store", store, "import", "--no-entities", str(shared_path("seed", SEED_NAME))).code == 0
    with open("/dev/zero", "rb") as stdin:
        run = cli(tmp_path, "--store", store, "restore-tags", stdin=stdin)
    bounded(run)
    assert run.code == 1 and "restore-tags: line 1: longer than the 52,428,800-byte limit" in run.err
    assert "nothing restored" in run.err
