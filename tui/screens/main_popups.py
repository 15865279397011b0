"""The screens the main screen opens over itself — saved views, entities, related articles, tags,
feeds, the trash, the import dialog — and what it does with the choice each returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.messages import ImportRequested, RefreshRequested
from tui.screens.catch_up import phrase

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class Popups:
    """Opens the pop-up screens of `V`, `E`, `r`, `T`, `F`, `i` and the palette's Trash."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def saved_views(self) -> None:
        from tui.screens.saved_views import SavedViewsScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.screen.open_listing(result[1], result[0])

        self.screen.app.push_screen(SavedViewsScreen(self.screen.store), chosen)

    def entities(self) -> None:
        from tui.screens.entities import EntitiesScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.screen.open_entity(*result)

        self.screen.app.push_screen(EntitiesScreen(self.screen.store), chosen)

    def related(self) -> None:
        shown = self.screen.article_text.article
        if shown is None:
            return
        from tui.screens.related import RelatedScreen

        def chosen(article_id: str | None) -> None:
            if article_id is not None:
                self.screen.show_article(article_id)  # chosen in the related list: read timer

        related = RelatedScreen(self.screen.store, shown.article.id, shown.article.title)
        self.screen.app.push_screen(related, chosen)

    def tags(self) -> None:
        from tui.screens.tags import TagsScreen

        screen = self.screen

        def chosen(tag: str | None) -> None:
            if tag is not None:
                screen.open_listing(f'tag:"{phrase(tag)}"', f"#{tag}")

        def changed(changes: dict[str, Any]) -> None:
            if changes:
                screen.undo.push(changes)
                screen.reload(cursor=screen.article_list.cursor)

        screen.app.push_screen(TagsScreen(screen.store, changed), chosen)

    def feeds(self) -> None:
        from tui.screens.feeds import FeedsScreen

        def chosen(feed: dict[str, Any] | None) -> None:
            if feed is not None:
                url = phrase(str(feed["url"]))
                self.screen.open_listing(f'feed:"{url}"', str(feed.get("title") or url))

        self.screen.app.push_screen(FeedsScreen(self.screen.store), chosen)

    def refresh_feeds(self) -> None:
        """Ask the App to refresh the feeds in the background (it runs imports and refreshes)."""
        self.screen.app.post_message(RefreshRequested())

    def import_dialog(self) -> None:
        from tui.screens.import_dialog import ImportScreen

        def chosen(sources: list[str] | None) -> None:
            if sources:
                self.screen.app.post_message(ImportRequested(sources))

        self.screen.app.push_screen(ImportScreen(), chosen)

    def trash(self) -> None:
        """The trash: undelete what D, `newsdesk delete` or retention removed."""
        from tui.screens.trash import TrashScreen

        def closed(restored: bool | None) -> None:
            if restored:
                self.screen.reload()

        self.screen.app.push_screen(TrashScreen(self.screen.store), closed)
