"""vib.stats: design-based survey estimation that agrees with R's survey package.

Pure numpy (scipy only for distribution functions and root finding); no Django import.
"""

from .engine import run_spec
from .errors import StatsError

__all__ = ["StatsError", "run_spec"]
