"""`python -m tui.cli`: the `newsdesk` command."""

import sys

from tui.cli import main

sys.exit(main())
