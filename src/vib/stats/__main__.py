"""``python -m vib.stats run SPEC.json``."""

from .cli import main

raise SystemExit(main())
