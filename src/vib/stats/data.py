"""Loading the data file of an analysis spec into numpy columns."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .errors import StatsError

MISSING_TOKENS = frozenset({"", "NA"})


class Table:
    """Columns of equal length: numeric columns are float64 with NaN for missing,
    other columns are object arrays of str with None for missing."""

    def __init__(self, columns: Mapping[str, npt.NDArray[np.generic]]) -> None:
        self.columns: dict[str, npt.NDArray[np.generic]] = dict(columns)
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise StatsError("columns differ in length", "data")
        self.n = lengths.pop() if lengths else 0

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def get(self, name: str, field: str) -> npt.NDArray[np.generic]:
        if name not in self.columns:
            raise StatsError(f"column {name!r} not found in the data", field)
        return self.columns[name]

    def is_numeric(self, name: str) -> bool:
        return self.columns[name].dtype.kind in "iuf"

    def numeric(self, name: str, field: str) -> npt.NDArray[np.float64]:
        col = self.get(name, field)
        if col.dtype.kind not in "iuf":
            raise StatsError(f"column {name!r} is not numeric", field)
        return col.astype(np.float64, copy=False)


def missing_mask(col: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
    if col.dtype.kind == "f":
        return np.isnan(col)
    if col.dtype.kind in "iub":
        return np.zeros(len(col), dtype=bool)
    return np.fromiter((v is None for v in col), dtype=bool, count=len(col))


def _convert(values: list[str]) -> npt.NDArray[np.generic]:
    out = np.empty(len(values), dtype=np.float64)
    try:
        for i, v in enumerate(values):
            out[i] = math.nan if v in MISSING_TOKENS else float(v)
    except ValueError:
        obj = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            obj[i] = None if v in MISSING_TOKENS else v
        return obj
    return out


def read_csv(path: Path) -> Table:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise StatsError(f"data file {path} is empty", "data") from None
            rows = list(reader)
    except OSError as exc:
        raise StatsError(f"cannot read data file {path}: {exc.strerror}", "data") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise StatsError(f"cannot parse data file {path}: {exc}", "data") from None
    width = len(header)
    if len(set(header)) != width:
        raise StatsError("duplicate column names in the header", "data")
    for lineno, row in enumerate(rows, start=2):
        if len(row) != width:
            raise StatsError(f"line {lineno} has {len(row)} fields, the header has {width}", "data")
    columns = {name: _convert([r[j] for r in rows]) for j, name in enumerate(header)}
    return Table(columns)


def read_table(path: Path) -> Table:
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise StatsError(
                "reading parquet needs pyarrow, which is not installed", "data"
            ) from None
        tbl = pq.read_table(path)
        cols: dict[str, npt.NDArray[np.generic]] = {}
        for name in tbl.column_names:
            arr = tbl.column(name).to_numpy(zero_copy_only=False)
            if arr.dtype.kind in "iufb":
                cols[name] = arr.astype(np.float64)
            else:
                cols[name] = np.array([None if v is None else str(v) for v in arr], dtype=object)
        return Table(cols)
    return read_csv(path)
