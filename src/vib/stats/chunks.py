"""Row passes in chunks on a small thread pool.

numpy releases the GIL inside its loops (ufuncs, reductions, ``take``, ``bincount``), so the
row passes of the single-pass path run on every core when the rows are cut into chunks and
the chunks handed to threads. Chunks of a few hundred thousand rows also keep each chunk's
temporaries in the processor's cache instead of allocating row-length arrays. Results come
back in chunk order, so the sums are the same whatever order the threads finish in.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .errors import StatsError

MIN_ROWS = 1 << 18  # smaller chunks cost more in Python than they save
MAX_THREADS = 8

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def threads() -> int:
    """Threads for row passes: ``VIB_STATS_THREADS`` when set, else the processors this
    process may use (at most MAX_THREADS). Set it to 1 where many worker processes share
    the processors."""
    setting = os.environ.get("VIB_STATS_THREADS", "").strip()
    if setting:
        if not setting.isdecimal() or int(setting) < 1:
            raise StatsError(
                f"must be a whole number of at least 1, not {setting!r}", "VIB_STATS_THREADS"
            )
        return int(setting)
    return max(1, min(MAX_THREADS, os.process_cpu_count() or 1))


def chunk_rows(n: int, cells: int) -> int:
    """Rows per chunk for a pass over n rows that sums into ``cells`` cells.

    A chunk is at least MIN_ROWS rows and four times the cells (each chunk's partial sums have
    one value per cell), and no bigger than an even share per thread.
    """
    rows = max(MIN_ROWS, 4 * cells)
    return max(1, min(rows, -(-n // threads())))


def slices(n: int, rows: int) -> list[slice]:
    return [slice(a, min(a + rows, n)) for a in range(0, n, rows)]


def map_chunks[T](fn: Callable[[slice], T], n: int, rows: int) -> list[T]:
    """``fn`` on consecutive slices of ``rows`` rows, in order; threaded when there are several."""
    parts = slices(n, rows)
    if len(parts) <= 1 or threads() == 1:
        return [fn(s) for s in parts]
    return list(_executor().map(fn, parts))


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(threads(), thread_name_prefix="vib-stats")
        return _pool


def _forget_pool() -> None:
    # a forked child (a web server worker) does not inherit the parent's threads
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)
