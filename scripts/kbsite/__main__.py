"""Allow `python -m kbsite`."""

import sys

from kbsite.cli import main

sys.exit(main())
