"""`python -m tui.demo`: extract the demo articles' entities again into tui/demo/entities.json."""

import sys

from tui.demo import main

sys.exit(main())
