"""The user's own things kept in the store: saved views, search history, tag rules and
preferences (views.json), entity merges (entities.json) and subscriptions (feeds.json)."""
