"""Keys in the order typed, each to whatever has the focus when its turn comes.

Textual hands each key the app reads to the widget focused at that moment, by posting it to that
widget's message queue, and goes on to the next key at once.  A key that moves the focus or
opens a screen (`/`, Enter in the search bar, `t`) does so only when its widget gets to it, by
which time the keys typed behind it (one burst: a fast typist, an SSH packet, a busy machine)
are already queued at the old focus: `tramt` in the search bar instead of the tag editor.

KeyOrderApp, the reader App's base, hands out one key at a time.  Behind each key it sends a trail: a
message that bubbles the same way, from the focused widget up to the app, so that when it
arrives every handler on the way has had the key (and Textual's bindings, checked when the key
reaches the app, have run).  A further round of trail then follows through whatever has the
focus now, until a round begins and ends at the same widget on a mounted screen: what the key
set off (the search bar's Submitted message, a pushed screen's mount and its focus) is done
before the next key goes out.  A screen can also hold the keys while what they are for is
not there yet (the results of a search just submitted): `wait_for(screen, True)`, then
`wait_for(screen, False)` once they are there.  A direct call, not a message: keys typed before
the screen asked are already in the app's queue, ahead of any message it could post.

Guards, so that no key is ever stuck: a trail lost on the way (its widget removed) or slow is
sent again after TRAIL_PATIENCE seconds, a key is handed out after MAX_ROUNDS rounds whatever the
focus does, and a hold lapses after HOLD_LIMIT seconds.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.app import App, ModeError, ScreenStackError
from textual.message import Message

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.screen import Screen
    from textual.timer import Timer

MIN_ROUNDS = 2
"""The key's own trail, then one round through the focus it left (its messages handled)."""
MAX_ROUNDS = 8
TRAIL_PATIENCE = 2.0
HOLD_LIMIT = 10.0
WATCH_SECONDS = 0.1


class KeyTrail(Message):
    """Follows a key from the widget it went to up to the app."""

    def __init__(self, target: MessagePump, screen: Screen[object], round: int) -> None:
        super().__init__()
        self.target = target
        self.screen = screen
        self.round = round
        self.sent = time.monotonic()


ReturnType = TypeVar("ReturnType")


class KeyOrderApp(App[ReturnType]):
    """An App that hands out the keys in the order typed (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_waiting: deque[events.Key] = deque()
        self._key_trail: KeyTrail | None = None
        self._key_holds: dict[object, float] = {}
        self._key_watch: Timer | None = None

    # -- the public side: screens hold the keys while their target is not ready ----------------
    def hold_keys(self, holder: object) -> None:
        """Keep the keys not yet handed out until `release_keys(holder)` (or HOLD_LIMIT)."""
        self._key_holds[holder] = time.monotonic() + HOLD_LIMIT
        self._watch_keys()

    def release_keys(self, holder: object) -> None:
        if self._key_holds.pop(holder, None) is not None:
            self.call_later(self._next_key)

    # -- textual's side ----------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys_waiting.append(event)
            await self._next_key()
            return
        await super().on_event(event)

    def _where_keys_go(self) -> tuple[MessagePump, Screen[object]] | None:
        """(the focused widget, else the screen; the screen), None when there is no screen."""
        try:
            return self.focused or self.screen, self.screen
        except (ScreenStackError, ModeError):  # shutting down: no one to hand keys to
            self._keys_waiting.clear()
            self._key_trail = None
            return None

    async def _next_key(self) -> None:
        while self._keys_waiting and self._key_trail is None and not self._held():
            where = self._where_keys_go()
            if where is None:
                break
            if not where[1].is_mounted:
                self._send_trail(1)  # a screen just pushed: its mount first (the trail waits behind it)
                return
            event = self._keys_waiting.popleft()
            await super().on_event(event)  # priority bindings, then to the focus
            if event.is_forwarded:
                # Textual posted it to the focused widget (the screen when none is): follow it.
                self._send_trail(1)
        self._watch_keys()

    def _send_trail(self, round: int) -> None:
        where = self._where_keys_go()
        if where is None:
            return
        target, screen = where
        self._key_trail = KeyTrail(target, screen, round)
        target.post_message(self._key_trail)
        self._watch_keys()

    async def _on_key_trail(self, trail: KeyTrail) -> None:
        trail.stop()
        if trail is not self._key_trail:
            return  # an earlier round, given up on and sent again
        where = self._where_keys_go()
        if where is None:
            return
        settled = where[0] is trail.target and where[1] is trail.screen and where[1].is_mounted
        if trail.round < MAX_ROUNDS and (trail.round < MIN_ROUNDS or not settled):
            self._send_trail(trail.round + 1)
            return
        self._key_trail = None
        await self._next_key()

    def _held(self) -> bool:
        now = time.monotonic()
        for holder, until in list(self._key_holds.items()):
            if until < now:
                del self._key_holds[holder]  # a hang guard: whatever it waited for, keys go on
        return bool(self._key_holds)

    def _watch_keys(self) -> None:
        """A slow tick only while keys wait (for a lost trail, a lapsed hold); paused otherwise."""
        waiting = self._key_trail is not None or bool(self._keys_waiting)
        if waiting:
            if self._key_watch is None:
                self._key_watch = self.set_interval(WATCH_SECONDS, self._check_keys, name="key order")
            else:
                self._key_watch.resume()
        elif self._key_watch is not None:
            self._key_watch.pause()

    async def _check_keys(self) -> None:
        trail = self._key_trail
        if trail is not None and (time.monotonic() - trail.sent > TRAIL_PATIENCE or not _alive(trail.target)):
            if trail.round < MAX_ROUNDS:
                self._send_trail(trail.round + 1)  # lost with its widget, or slow: once more
            else:
                self._key_trail = None
        if self._key_trail is None and self._keys_waiting:
            await self._next_key()
        self._watch_keys()


def _alive(node: MessagePump) -> bool:
    """Whether a trail posted to `node` can still arrive (its pump runs, it is in the DOM)."""
    return node.is_running and node.is_attached


class KeysWaitForRows:
    """Mixed into a screen whose rows a worker loads (the tags, saved views, feeds, entities,
    trash): the keys typed behind the one that opened it (`T j j r` in one burst), or behind a
    change it reloads after, are for those rows, so they wait until the rows are in.  Call
    `keys_wait_for_rows` when the load starts and `keys_go_on` once its rows are shown or it
    failed; leaving the screen lets them go too (keys are never left held)."""

    def keys_wait_for_rows(self) -> None:
        wait_for(self, True)

    def keys_go_on(self) -> None:
        wait_for(self, False)

    def on_unmount(self) -> None:
        self.keys_go_on()


def wait_for(holder: Any, wait: bool) -> None:
    """Hold the keys not yet handed out for `holder` (a screen), or let them go: when the app
    orders its keys (a KeyOrderApp; else there is nothing to hold)."""
    try:
        app = holder.app
    except Exception:  # not attached to an app (yet, or any more): no keys to hold
        return
    if isinstance(app, KeyOrderApp):
        if wait:
            app.hold_keys(holder)
        else:
            app.release_keys(holder)
