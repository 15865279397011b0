"""The newsdesk command line and (with the reader issue) the Textual app."""
