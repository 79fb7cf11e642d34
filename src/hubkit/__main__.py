import sys

from hubkit.cli.main import main

sys.exit(main())
