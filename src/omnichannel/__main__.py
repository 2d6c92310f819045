"""``python -m omnichannel``: see ``python -m omnichannel --help``."""

import sys

from ._cli import main

sys.exit(main())
