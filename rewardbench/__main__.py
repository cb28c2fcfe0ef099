import sys

from rewardbench.cli import main

sys.exit(main())
