"""The columnar reader: CSV and Parquet through Arrow, columns as the engine expects them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vib.stats import data as data_module
from vib.stats import run_spec
from vib.stats.cli import main
from vib.stats.data import StringColumn, missing_mask, read_table, referenced_names
from vib.stats.design import factorize
from vib.stats.errors import StatsError

CSV = (
    "id,h,w,y,name,flag,day,note\n"
    "1,2,1.5,0,bob,true,2024-01-02,x\n"
    '2,1,2.5,NA,,false,2024-01-03,"two\nlines"\n'
    "3,2,3,1,amy,true,,y\n"
    "4,1,1,1,bob,,2024-01-05,\n"
)


def _write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_columns_keep_their_kind(tmp_path: Path) -> None:
    t = read_table(_write(tmp_path, CSV))
    assert t.n == 4
    assert t.columns["id"].dtype.kind == "i"  # integers stay integers
    assert t.columns["w"].dtype == np.float64
    assert np.isnan(t.columns["y"][1])  # NA is missing
    name = t.columns["name"]
    assert isinstance(name, StringColumn)
    assert name.levels == ["amy", "bob"]  # sorted, as R's factor levels
    assert name.codes is not None
    assert name.codes.tolist() == [1, -1, 0, 1]  # the empty field is missing
    assert name.tolist() == ["bob", None, "amy", "bob"]
    assert missing_mask(name).tolist() == [False, True, False, False]
    # booleans and dates stay the text of the file, not Arrow's types
    assert t.columns["flag"].tolist() == ["true", "false", "true", None]
    assert t.columns["day"].tolist() == ["2024-01-02", "2024-01-03", None, "2024-01-05"]
    assert t.columns["note"].tolist() == ["x", "two\nlines", "y", None]


def test_factorize_uses_the_file_codes_and_copies_fall_back(tmp_path: Path) -> None:
    t = read_table(_write(tmp_path, "g\nb\na\nc\na\n"))
    codes, levels = factorize(t.columns["g"])
    assert codes.tolist() == [1, 0, 2, 0]
    assert levels == ["a", "b", "c"]
    part = t.columns["g"][1:]  # a slice has no codes of its own: the general factorisation
    assert not isinstance(part, StringColumn) or part.codes is None
    assert factorize(part)[0].tolist() == [0, 1, 0]


def test_projection_reads_only_named_columns(tmp_path: Path) -> None:
    p = _write(tmp_path, CSV)
    spec = {"data": "d.csv", "design": {"weights": "w"}, "estimates": [{"variable": "y"}]}
    names = referenced_names(spec)
    assert {"w", "y", "design", "data"} <= names
    t = read_table(p, names)
    assert set(t.columns) == {"w", "y"}
    assert read_table(p, {"nothing"}).n == 4  # still knows its rows


def test_a_later_value_of_another_type_makes_the_column_wider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow guesses a column's type from the first block; a later block that does not fit
    must not fail the file: the column becomes what every value fits."""
    monkeypatch.setattr(data_module, "BLOCK_SIZE", 64)
    rows = "".join(f"{i},{i}\n" for i in range(40))
    t = read_table(_write(tmp_path, "a,b\n" + rows + "40,2.5\n41,x\n"))
    assert t.columns["a"].dtype.kind == "i"
    assert t.columns["a"].tolist() == list(range(42))
    b = t.columns["b"]
    assert b.dtype == object  # "x" makes it text, as before
    assert b.tolist()[-2:] == ["2.5", "x"]
    t = read_table(_write(tmp_path, "a\n" + "1\n" * 40 + "2.5\n", "e.csv"))
    assert t.columns["a"].dtype == np.float64
    assert t.columns["a"][-1] == 2.5


def test_csv_integers_are_typed_up_front_and_widened_when_a_later_value_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first SNIFF_SIZE bytes give the numeric columns their types before the full read:
    integers that fit become int32; a later value that does not fit (wider, fractional,
    text) is read as it was without the up-front types."""
    monkeypatch.setattr(data_module, "SNIFF_SIZE", 64)
    rows = "".join(f"{i},{i},{i / 2}\n" for i in range(40))
    t = read_table(_write(tmp_path, "a,b,f\n" + rows))
    assert t.columns["a"].dtype == np.int32
    assert t.columns["f"].dtype == np.float64
    assert t.columns["f"][-1] == 19.5
    big = 2**31
    pairs = "".join(f"{i},{i}\n" for i in range(40))
    t = read_table(_write(tmp_path, "a,b\n" + pairs + f"{big},1\n", "w.csv"))
    a = t.columns["a"]
    assert a.dtype == np.int64  # no longer fits int32: Arrow's guess, as before
    assert a.tolist() == [*range(40), big]
    assert t.columns["b"].tolist() == [*range(40), 1]
    t = read_table(_write(tmp_path, "a\n" + "1\n" * 40 + "2.5\n" + "NA\n", "f.csv"))
    assert t.columns["a"].dtype == np.float64
    assert t.columns["a"][-2] == 2.5
    assert np.isnan(t.columns["a"][-1])
    t = read_table(_write(tmp_path, "a\n" + "1\n" * 40 + "x\n", "g.csv"))
    assert t.columns["a"].tolist() == ["1"] * 40 + ["x"]


def test_malformed_csv_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "a,b\n1,2\n3,4\n5\n6,7\n")
    with pytest.raises(StatsError, match="line 4 has 1 fields, the header has 2"):
        read_table(p)
    spec = tmp_path / "s.json"
    spec.write_text(
        json.dumps(
            {
                "data": "d.csv",
                "design": {"weights": "a"},
                "estimates": [{"id": "m", "statistic": "mean", "variable": "b"}],
            }
        )
    )
    assert main(["run", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "line 4 has 1 fields" in err
    with pytest.raises(StatsError, match="duplicate column names"):
        read_table(_write(tmp_path, "a,a\n1,2\n", "dup.csv"))
    with pytest.raises(StatsError, match="is empty"):
        read_table(_write(tmp_path, "", "empty.csv"))
    (tmp_path / "bin.csv").write_bytes(b"a,b\n1,\xff\xfe\n")
    with pytest.raises(StatsError, match="cannot parse data file"):
        read_table(tmp_path / "bin.csv")
    with pytest.raises(StatsError, match="cannot read data file"):
        read_table(tmp_path / "missing.csv")


def test_parquet_columns(tmp_path: Path) -> None:
    p = tmp_path / "d.parquet"
    pq.write_table(
        pa.table(
            {
                "i": pa.array([1, 2, 3], pa.int32()),
                "j": pa.array([1, None, 3], pa.int64()),
                "b": pa.array([True, False, True]),
                "s": pa.array(["z", None, "a"]),
                "f": pa.array([0.5, None, 2.0]),
            }
        ),
        p,
    )
    t = read_table(p)
    assert t.columns["i"].dtype == np.int32
    assert t.columns["j"].dtype == np.float64  # missing values: NaN
    assert math.isnan(t.columns["j"][1])
    assert t.columns["b"].tolist() == [1, 0, 1]
    assert t.columns["s"].tolist() == ["z", None, "a"]
    assert math.isnan(t.columns["f"][1])
    assert set(read_table(p, ["s", "i", "other"]).columns) == {"i", "s"}
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(StatsError, match="cannot read data file"):
        read_table(tmp_path / "bad.parquet")


def test_csv_and_parquet_give_the_same_result(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 3000
    h = rng.integers(0, 6, n)
    cols = {
        "h": h,
        "c": h * 100 + rng.integers(0, 8, n),
        "w": rng.uniform(1, 9, n).round(6),
        "y": (rng.random(n) < 0.4).astype(float),
        "g": np.array(["noord", "zuid", "oost"], dtype=object)[rng.integers(0, 3, n)],
    }
    cols["y"][::97] = np.nan
    pq.write_table(pa.table({k: pa.array(v, from_pandas=True) for k, v in cols.items()}),
                   tmp_path / "d.parquet")  # fmt: skip
    lines = ["h,c,w,y,g"] + [
        f"{a},{b},{float(c)!r},{'' if math.isnan(d) else d},{e}"
        for a, b, c, d, e in zip(*cols.values(), strict=True)
    ]
    _write(tmp_path, "\n".join(lines) + "\n")
    spec = {
        "design": {"ids": ["c"], "strata": "h", "weights": "w"},
        "estimates": [
            {"id": "p", "statistic": "proportion", "variable": "y", "by": ["g"]},
            {"id": "g", "statistic": "proportion", "variable": "g"},
        ],
    }
    a = run_spec({"data": "d.csv", **spec}, base_dir=tmp_path)
    b = run_spec({"data": "d.parquet", **spec}, base_dir=tmp_path)
    assert a == b
    assert [r["domain"]["g"] for r in a["estimates"][0]["rows"]] == ["noord", "oost", "zuid"]
