"""The newsdesk command line and the Textual reader."""
