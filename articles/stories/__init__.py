"""Stories: copies (near-duplicate bodies) and stories (one event in different words), assigned
online as articles arrive (articles.stories.linking) — pure Python, no store."""
