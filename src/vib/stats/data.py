"""Loading the data file of an analysis spec into numpy columns, through Arrow.

CSV is parsed by ``pyarrow.csv`` on several threads and Parquet read by ``pyarrow.parquet``;
only the columns a spec names are read (``referenced_names``). The numeric CSV columns get
their types from the file's first MiB before the parse (``_numeric_types``: integers int32
where those values fit), so the parser converts each value once, into the final width.
Every column is converted as a whole, never value by value, and copied into numpy chunk by
chunk on the row-pass threads:

- integer columns without missing values stay integer (int8 … int64 as stored in Parquet;
  from CSV int32, or int64 when a value needs it);
- floating columns, and integer columns with missing values, become float64 with NaN for
  missing; booleans become int8 0/1 (float64 when some are missing);
- text columns are dictionary-encoded (Arrow's dictionary arrays, straight from the CSV
  parser or the Parquet dictionary pages) and become a ``StringColumn``: int32 codes into the
  sorted distinct values (R's factor levels), -1 where missing (the missing mask), together
  with the object array of the values that the general path compares against;
- dates, times and other types become text as Arrow writes them.

A CSV field is missing when it is empty or ``NA``. A malformed file is reported with the line
it breaks on (the slow scan below runs only once Arrow has refused the file).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import chunks
from .errors import StatsError

MISSING_TOKENS = ("", "NA")
BLOCK_SIZE = 1 << 22  # CSV bytes per parser task: several per thread on a large file
SNIFF_SIZE = 1 << 20  # CSV bytes whose values give the numeric columns their types up front
INT32 = np.iinfo(np.int32)


class StringColumn(np.ndarray):
    """An object array of str (None for missing) that carries its dictionary encoding:
    ``codes`` (int32, -1 where missing) into ``levels`` (the distinct values, sorted).

    Arrays derived from it (slices, copies) are plain object arrays: ``codes`` is None there.
    """

    codes: npt.NDArray[np.int32] | None
    levels: list[str] | None

    def __new__(cls, codes: npt.NDArray[np.int32], levels: list[str]) -> StringColumn:
        lookup = np.empty(len(levels) + 1, dtype=object)
        lookup[: len(levels)] = levels
        lookup[-1] = None  # code -1
        obj = np.take(lookup, codes).view(cls)
        obj.codes = codes
        obj.levels = levels
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.codes = None
        self.levels = None


def coded(col: npt.NDArray[np.generic]) -> StringColumn | None:
    """The column when it still carries its dictionary codes, else None."""
    if isinstance(col, StringColumn) and col.codes is not None:
        return col
    return None


class Table:
    """Columns of equal length: numeric columns are integer (no missing values) or float64
    with NaN for missing; other columns are object arrays of str with None for missing,
    usually a ``StringColumn``."""

    def __init__(self, columns: Mapping[str, npt.NDArray[np.generic]]) -> None:
        self.columns: dict[str, npt.NDArray[np.generic]] = dict(columns)
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise StatsError("columns differ in length", "data")
        self.n = lengths.pop() if lengths else 0

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Table:
        """The columns of an Arrow table (see the module docstring for the conversion)."""
        return cls({name: from_arrow(table.column(name), name) for name in table.column_names})

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
    c = coded(col)
    if c is not None:
        assert c.codes is not None
        return np.asarray(c.codes < 0)
    return np.asarray(np.equal(col, np.array(None, dtype=object)), dtype=bool)


# --- Arrow to numpy ----------------------------------------------------------------------------


def _dictionary_codes(arr: pa.ChunkedArray, name: str) -> StringColumn:
    """Codes into the sorted distinct values of a dictionary-encoded column."""
    if arr.num_chunks == 0:
        return StringColumn(np.zeros(0, dtype=np.int32), [])
    arr = arr.unify_dictionaries()
    dictionary = arr.chunk(0).dictionary
    if not (pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type)):
        try:
            dictionary = dictionary.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise StatsError(f"column {name!r} holds values that are not text", "data") from None
    values: list[str | None] = dictionary.to_pylist()
    k = len(values)
    # the rank of each dictionary entry among the sorted values; k (the sentinel) is missing
    present = {i: v for i, v in enumerate(values) if v is not None}
    order = sorted(present, key=present.__getitem__)
    rank = np.full(k + 1, -1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    parts = [
        np.take(rank, pc.fill_null(chunk.indices, k).to_numpy(zero_copy_only=False))
        for chunk in arr.chunks
    ]
    codes = np.concatenate(parts) if len(parts) > 1 else parts[0]
    levels = [present[i] for i in order]
    used = np.bincount(codes[codes >= 0], minlength=len(levels)) > 0
    if not used.all():  # values in the dictionary that no row has
        remap = np.append(np.cumsum(used, dtype=np.int32) - 1, np.int32(-1))
        codes = np.take(remap, codes)
        levels = [v for v, u in zip(levels, used.tolist(), strict=True) if u]
    return StringColumn(codes.astype(np.int32, copy=False), levels)


def _gather(arr: pa.ChunkedArray, dtype: Any) -> npt.NDArray[Any]:
    """The chunks of a numeric column copied into one numpy array, a run of chunks per thread
    (numpy copies without the GIL); a chunk's nulls become NaN. One chunk without nulls is
    not copied: the array is a read-only view of Arrow's buffer."""
    if arr.num_chunks == 1:
        return np.asarray(arr.chunk(0).to_numpy(zero_copy_only=False), dtype=dtype)
    out = np.empty(len(arr), dtype=dtype)
    ends = np.cumsum([len(c) for c in arr.chunks]).tolist()
    starts = [0, *ends[:-1]]

    def put(run: slice) -> None:
        for i in range(run.start, run.stop):
            out[starts[i] : ends[i]] = arr.chunk(i).to_numpy(zero_copy_only=False)

    chunks.map_chunks(put, arr.num_chunks, -(-arr.num_chunks // chunks.threads()) or 1)
    return out


def from_arrow(arr: pa.ChunkedArray | pa.Array, name: str) -> npt.NDArray[np.generic]:
    """One Arrow column as a numpy column (see the module docstring)."""
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr], type=arr.type)
    t = arr.type
    if pa.types.is_dictionary(t):
        return _dictionary_codes(arr, name)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _dictionary_codes(pc.dictionary_encode(arr), name)
    if pa.types.is_boolean(t):
        arr = arr.cast(pa.int8())
        t = arr.type
    if pa.types.is_integer(t) and arr.null_count == 0:
        return _gather(arr, t.to_pandas_dtype())
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        if not pa.types.is_float64(t):
            arr = arr.cast(pa.float64())
        return _gather(arr, np.float64)  # nulls become NaN
    if pa.types.is_null(t):
        return np.full(len(arr), np.nan)
    try:
        text = arr.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise StatsError(f"column {name!r} has an unsupported type {t}", "data") from None
    return _dictionary_codes(pc.dictionary_encode(text), name)


# --- which columns a spec uses -----------------------------------------------------------------


def referenced_names(spec: Any) -> set[str]:
    """Every string in a (raw, JSON) spec, keys included: a superset of the column names it
    uses, whatever field names them. Reading those columns of the file and no others cannot
    leave out a column the analysis needs; the odd extra (a string that happens to be a
    column's name) costs one column read."""
    out: set[str] = set()
    stack = [spec]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, dict):
            out.update(k for k in v if isinstance(k, str))
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return out


def _projection(header: list[str], columns: Iterable[str] | None) -> list[str]:
    if columns is None:
        return list(header)
    wanted = set(columns)
    # at least one column, so that the table still knows its number of rows
    return [c for c in header if c in wanted] or header[:1]


# --- CSV ---------------------------------------------------------------------------------------


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            try:
                header = next(csv.reader(fh))
            except StopIteration:
                raise StatsError(f"data file {path} is empty", "data") from None
    except OSError as exc:
        raise StatsError(f"cannot read data file {path}: {exc.strerror}", "data") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise StatsError(f"cannot parse data file {path}: {exc}", "data") from None
    if len(set(header)) != len(header):
        raise StatsError("duplicate column names in the header", "data")
    return header


def _locate_error(path: Path, width: int) -> StatsError | None:
    """The first line Python's csv module finds wrong, once Arrow has refused the file."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for lineno, row in enumerate(reader, start=2):
                if len(row) != width:
                    return StatsError(
                        f"line {lineno} has {len(row)} fields, the header has {width}", "data"
                    )
    except (csv.Error, UnicodeDecodeError) as exc:
        return StatsError(f"cannot parse data file {path}: {exc}", "data")
    return None


def _convert_options(
    include: list[str], types: Mapping[str, pa.DataType] | None
) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        include_columns=include,
        null_values=list(MISSING_TOKENS),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        auto_dict_encode=True,
        auto_dict_max_cardinality=1 << 30,
        column_types=types,
    )


def _arrow_csv(
    path: Path, include: list[str], types: Mapping[str, pa.DataType] | None, *, newlines: bool
) -> pa.Table:
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=True, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(newlines_in_values=newlines),
        convert_options=_convert_options(include, types),
    )


def _numeric_types(path: Path, include: list[str]) -> dict[str, pa.DataType]:
    """The types Arrow guesses for the numeric columns from the file's first SNIFF_SIZE bytes,
    integers narrowed to int32 where those values fit: read with these types, the parser
    neither guesses again nor builds int64 columns twice the size. A later value that does
    not fit is a conversion error, and the file is read as before (``_read_typed``). Empty
    when the first bytes do not parse: the full read reports the error."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_SIZE)
        if len(head) == SNIFF_SIZE:
            head = head[: head.rfind(b"\n") + 1]  # whole lines only
        # parsed on this thread: Arrow's streaming reader would parse blocks ahead
        batch = pacsv.read_csv(
            pa.BufferReader(head),
            read_options=pacsv.ReadOptions(use_threads=False),
            convert_options=_convert_options(include, None),
        )
    except (pa.ArrowInvalid, OSError):
        return {}
    types: dict[str, pa.DataType] = {}
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_floating(field.type):
            types[field.name] = pa.float64()
        elif pa.types.is_integer(field.type):
            lo, hi = (v.as_py() for v in pc.min_max(col).values())
            fits = lo is None or (INT32.min <= lo and hi <= INT32.max)
            types[field.name] = pa.int32() if fits else pa.int64()
    return types


def _text_column(arr: pa.ChunkedArray, name: str) -> npt.NDArray[np.generic]:
    """A column read as text: integer if every value is one, else a number, else text."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    for t in (pa.int64(), pa.float64()):
        try:
            return from_arrow(pc.cast(arr, t), name)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return from_arrow(arr, name)


INFERRED = re.compile(r"^(u?int\d+|double|float|null|string|large_string|dictionary<.*)$")


class _ConversionError(Exception):
    """A later block of the file has a value that the column's type does not take."""


def _read_arrow(
    path: Path,
    include: list[str],
    header: list[str],
    types: Mapping[str, pa.DataType] | None,
    *,
    text: bool = False,
) -> pa.Table:
    """The columns ``include`` of the file; ``_ConversionError`` when a value does not fit its
    column's type, unless every column is ``text`` (then such a value, invalid UTF-8, is an
    error in the file)."""
    message = ""
    for newlines in (False, True):  # values with line breaks need the slower parser mode
        try:
            return _arrow_csv(path, include, types, newlines=newlines)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "conversion error" in message.lower() and not text:
                raise _ConversionError from None
        except OSError as exc:
            raise StatsError(f"cannot read data file {path}: {exc.strerror}", "data") from None
    raise _locate_error(path, len(header)) or StatsError(
        f"cannot parse data file {path}: {message}", "data"
    )


def _read_typed(path: Path, include: list[str], header: list[str]) -> pa.Table:
    """The file with its numeric columns typed up front (``_numeric_types``); where a later
    value does not fit those types, with Arrow's own guess from the first block."""
    types = _numeric_types(path, include)
    if types:
        try:
            return _read_arrow(path, include, header, types)
        except _ConversionError:
            pass
    return _read_arrow(path, include, header, None)


def read_csv(path: Path, columns: Iterable[str] | None = None) -> Table:
    """The columns of a CSV file (all, or those of ``columns`` that it has)."""
    header = _header(path)
    include = _projection(header, columns)
    text = dict.fromkeys(include, pa.string())
    try:
        tbl = _read_typed(path, include, header)
    except _ConversionError:
        # read as text and convert each column as a whole
        tbl = _read_arrow(path, include, header, text, text=True)
        return Table({name: _text_column(tbl.column(name), name) for name in tbl.column_names})
    odd = [f.name for f in tbl.schema if not INFERRED.match(str(f.type))]
    if odd:
        # booleans, dates, times: the values as written
        strings = _read_arrow(path, odd, header, {n: text[n] for n in odd}, text=True)
        for name in odd:
            tbl = tbl.set_column(tbl.schema.get_field_index(name), name, strings.column(name))
    box = [tbl]
    del tbl
    return _consume(box)


def _consume(box: list[pa.Table]) -> Table:
    """Table.from_arrow of the table in ``box``, which must hold the only reference to it:
    each Arrow column is released once converted, so the file's columns are not all in
    memory twice."""
    tbl = box.pop()
    out: dict[str, npt.NDArray[np.generic]] = {}
    names = tbl.column_names
    for name in names:
        col = tbl.column(0)
        tbl = tbl.remove_column(0)
        out[name] = from_arrow(col, name)
        del col
        # hand the freed buffers back to the system now, not when the allocator gets to it:
        # else the Arrow copy of the data and its numpy columns sit in memory side by side
        pa.default_memory_pool().release_unused()
    return Table(out)


# --- Parquet -----------------------------------------------------------------------------------


def read_parquet(path: Path, columns: Iterable[str] | None = None) -> Table:
    try:
        schema = pq.read_schema(path)
        include = _projection(schema.names, columns)
        if len(set(schema.names)) != len(schema.names):
            raise StatsError("duplicate column names in the data file", "data")
        text = [
            f.name
            for f in schema
            if f.name in include
            and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        ]
        box = [pq.read_table(path, columns=include, read_dictionary=text, use_threads=True)]
    except OSError as exc:
        raise StatsError(f"cannot read data file {path}: {exc.strerror or exc}", "data") from None
    except pa.ArrowException as exc:
        raise StatsError(f"cannot read data file {path}: {exc}", "data") from None
    return _consume(box)


def read_table(path: Path, columns: Iterable[str] | None = None) -> Table:
    """The data file of a spec: Parquet by its suffix, else CSV; only ``columns`` (the names
    the spec mentions) when given."""
    if path.suffix.lower() == ".parquet":
        return read_parquet(path, columns)
    return read_csv(path, columns)
