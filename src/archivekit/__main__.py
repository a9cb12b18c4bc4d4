import sys

from archivekit.cli import main

sys.exit(main())
