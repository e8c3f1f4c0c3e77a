"""`python -m config` runs the `consult` command."""

import sys

from config.cli import main

sys.exit(main())
