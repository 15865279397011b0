"""The tag editor: add and remove tags on the marked articles, else the current one, in one go."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from store import TagError, normalise_tag, tag_key
from tui.key_order import KeysWaitForRows
from tui.literal import literal, tag_chips
from tui.messages import TagNamesLoaded
from tui.widgets.field import Field

HELP = "tags, comma-separated: name or +name adds, -name removes · tab completes · enter applies · esc cancels"


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from the store's tags."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = tags

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)

    def complete(self, value: str) -> str | None:
        """`value` with the tag being typed completed: the first of the store's tags it starts."""
        _head, _comma, last = value.rpartition(",")
        stripped = last.lstrip()
        sign = stripped[:1] if stripped[:1] in "+-" else ""
        typed = stripped[len(sign) :].lstrip()
        if not typed:
            return None
        for tag in self.tags:
            if tag_key(tag).startswith(tag_key(typed)) and tag_key(tag) != tag_key(typed):
                prefix = value[: len(value) - len(typed)]
                return prefix + tag
        return None


class TagField(Field):
    """The editor's field: tab accepts the completion, as in a shell.

    | Key | id | Does |
    |---|---|---|
    | `tab` | tags.complete | accept the completion of the tag being typed |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False, id="tags.complete"),
    ]

    def action_complete(self) -> None:
        # Computed here rather than read from the shown suggestion, which a worker fills in a
        # moment later: a tab typed right behind the letters completes them all the same.
        completion = self.suggester.complete(self.value) if isinstance(self.suggester, TagSuggester) else None
        if completion is None or not self.cursor_at_end:
            raise SkipAction()
        self.value = completion
        self.cursor_position = len(completion)


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """'climate, -later, +to read' -> (add, remove); TagError names a bad tag."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        target = remove if part.startswith("-") else add
        target.append(normalise_tag(part[1:] if part[0] in "+-" else part))
    return add, remove


class TagEditorScreen(KeysWaitForRows, ModalScreen[tuple[list[str], list[str]] | None]):
    """Returns (tags to add, tags to remove), or None.

    | Key | id | Does |
    |---|---|---|
    | `tab` | tags.complete | accept the completion |
    | `enter` | (the field) | apply |
    | `escape` | app.back | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="app.back")]

    DEFAULT_CSS = """
    TagEditorScreen { align: center middle; }
    TagEditorScreen > Vertical { width: 80; height: auto; padding: 1 2; border: round $accent; background: $panel; }
    TagEditorScreen #tag-error { color: $error; height: auto; }
    TagEditorScreen #tag-help { color: $text-muted; height: auto; }
    """

    def __init__(self, target: str, current: tuple[str, ...], existing: list[str] | None = None) -> None:
        """`existing`: the store's tags, for completion (TagNamesLoaded brings them when None)."""
        super().__init__()
        self.target = target
        self.current = current
        self.existing = existing if existing is not None else []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(f"Tags of {self.target}"), id="tag-heading")
            if self.current:
                yield Static(tag_chips(self.current))
            yield TagField(placeholder="climate, -later", suggester=TagSuggester(self.existing), id="tag-input")
            yield Static("", id="tag-error")
            yield Static(HELP, id="tag-help")

    def on_mount(self) -> None:
        # The keys typed right behind `t` reach the field: the app hands them out only once
        # this dialog is mounted and its field focused (tui.key_order).
        self.query_one(Input).focus()

    @on(TagNamesLoaded)
    def tag_names_loaded(self, message: TagNamesLoaded) -> None:
        self.existing.extend(message.names)  # the suggester completes from this same list
        self.keys_go_on()

    @on(Input.Submitted)
    def apply(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            add, remove = parse_tag_edit(event.value)
        except TagError as exc:
            self.query_one("#tag-error", Static).update(literal(str(exc)))
            return
        self.dismiss((add, remove) if add or remove else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
