"""`python -m devora`: the same as the `devora` command."""

import sys

from devora.cli import main

sys.exit(main())
