import sys

from freeride_fetch.cli import main

sys.exit(main())
