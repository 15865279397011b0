"""Regenerate docs/demo.svg: the demo store in the reader at 120x40, as the app draws it.

Run: python docs/screenshot.py"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from store import NewsStore
from tui.app import NewsdeskApp
from tui.demo import fill_demo_store

OUT = Path(__file__).with_name("demo.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        store = NewsStore(Path(workdir) / "demo")
        fill_demo_store(store)
        app = NewsdeskApp(store, demo=True, read_delay=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("j", "j", "j", "j")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            OUT.write_text(app.export_screenshot(title="newsdesk --demo"), encoding="utf-8")
        store.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
