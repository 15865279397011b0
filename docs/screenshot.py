"""Regenerate docs/demo.svg (the demo store in the reader at 120x40, as the app draws it) and
docs/stories.svg (the same list grouped by story with `S`, its stories placed first).

Run: python docs/screenshot.py"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from store import NewsStore
from tui.app import NewsdeskApp
from tui.demo import fill_demo_store

OUT = Path(__file__).with_name("demo.svg")
STORIES = Path(__file__).with_name("stories.svg")


async def shoot(out: Path, keys: tuple[str, ...], *, stories: bool = False) -> None:
    """The demo store after `keys`, drawn to `out` (`stories`: its stories placed first)."""
    with tempfile.TemporaryDirectory() as workdir:
        store = NewsStore(Path(workdir) / "demo")
        fill_demo_store(store)
        if stories:
            store.stories.assign()
        app = NewsdeskApp(store, demo=True, read_delay=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            for key in ("", *keys):
                if key:
                    await pilot.press(key)
                for _ in range(3):
                    await app.workers.wait_for_complete()
                    await pilot.pause()
            out.write_text(app.export_screenshot(title="newsdesk --demo"), encoding="utf-8")
        store.close()
    print(f"wrote {out}")


async def main() -> None:
    await shoot(OUT, ("j", "j", "j", "j"))
    await shoot(STORIES, ("S", "j", "j"), stories=True)


if __name__ == "__main__":
    asyncio.run(main())
