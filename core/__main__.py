import sys

from core.runtime.cli import main

sys.exit(main())
