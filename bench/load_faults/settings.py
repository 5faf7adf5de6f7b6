"""Settings of the load-and-fault run: VIB's own, plus the database-outage middleware.

``vib.operations.dbdown.DatabaseUnavailableMiddleware`` goes right after
``ApiVersionMiddleware`` (the place ``docs/operations.md`` asks for). ``LF_DBDOWN=0`` leaves it
out, to see what clients get without it.
"""

import os

from vib.conf.settings import *  # noqa: F403
from vib.conf.settings import MIDDLEWARE as _BASE

DBDOWN = "vib.operations.dbdown.DatabaseUnavailableMiddleware"
MIDDLEWARE = [m for m in _BASE if m != DBDOWN]
if os.environ.get("LF_DBDOWN", "1") != "0":
    MIDDLEWARE.insert(MIDDLEWARE.index("vib.api.middleware.ApiVersionMiddleware") + 1, DBDOWN)
