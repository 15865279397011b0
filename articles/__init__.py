"""The article model, importers and entity extraction; imports neither store nor tui."""
