"""Copies and stories in the store (store.stories.service.Stories)."""
