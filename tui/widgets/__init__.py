"""The reader's widgets: they get plain values and post messages; none touches the store."""
