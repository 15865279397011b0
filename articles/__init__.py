"""The article model, importers and (later) entity extraction; imports neither store nor tui."""
