"""The calibration residuals in reduced form agree with R's sweeps written out row by row."""

from __future__ import annotations

import numpy as np
import pytest

from vib.stats.calibration import PostStratum, Raking


def _sweeps(margins: list[PostStratum], x: np.ndarray) -> np.ndarray:
    """svyrecvar's raking adjustment as R writes it: ten sweeps over the rows."""
    out = x.copy()
    for _ in range(10):
        for m in margins:
            psw = m.weights
            count = np.maximum(np.bincount(m.index, minlength=m.ncell), 1)
            z = np.where(psw[:, None] != 0, out / np.where(psw == 0, 1, psw)[:, None], 0.0)
            for j in range(out.shape[1]):
                means = np.bincount(m.index, weights=z[:, j], minlength=m.ncell) / count
                out[:, j] -= psw * means[m.index]
    return out


def _poststratum(m: PostStratum, x: np.ndarray) -> np.ndarray:
    psw = np.where((m.weights == 0) & (m.oldweights == 0), 1.0, m.weights)
    out = x.copy()
    den = np.bincount(m.index, weights=m.oldweights, minlength=m.ncell)
    for j in range(x.shape[1]):
        z = np.where(psw != 0, x[:, j] * m.oldweights / np.where(psw == 0, 1, psw), 0.0)
        num = np.bincount(m.index, weights=z, minlength=m.ncell)
        means = np.where(den != 0, num / np.where(den == 0, 1, den), 0.0)
        out[:, j] -= means[m.index] * psw
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_raking_reduced_form_matches_the_sweeps(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, p = 500, 4
    w0 = rng.uniform(1, 5, n)
    w0[:7] = 0.0  # rows outside the design keep their scores
    margins = []
    w = w0
    for ncell in (6, 3, 11):
        index = rng.integers(0, ncell, n)
        neww = w * rng.uniform(0.8, 1.2, ncell)[index]
        margins.append(PostStratum(index, ncell, neww, w))
        w = neww
    x = rng.normal(size=(n, p)) * (rng.random((n, p)) < 0.6)
    got = Raking(margins).residualize(x)
    want = _sweeps(margins, x)
    assert np.abs(got - want).max() <= 1e-12 * np.abs(want).max()
    assert not np.array_equal(got, x)  # the adjustment is not a no-op


def test_poststratification_residuals_match_the_column_loop() -> None:
    rng = np.random.default_rng(4)
    n = 300
    old = rng.uniform(1, 4, n)
    old[:3] = 0.0
    index = rng.integers(0, 5, n)
    new = old * rng.uniform(0.5, 2, 5)[index]
    m = PostStratum(index, 5, new, old)
    x = rng.normal(size=(n, 3))
    want = _poststratum(m, x)
    assert np.abs(m.residualize(x) - want).max() <= 1e-12 * np.abs(want).max()
