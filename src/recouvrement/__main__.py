"""``python -m recouvrement``: the same command line as ``recouvrement``."""

import sys

from .cli import main

sys.exit(main())
