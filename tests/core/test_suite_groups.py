"""The suite's parallel run keeps a module's tests on one worker (ADR 0130, ADR 0149).

`make test` runs under pytest-xdist with ``--dist loadgroup``: every test module is a group, so
its module-scoped fixtures (the demo, a browser, a report) are built once. With pytest 9.2 and
pytest-xdist 3.8 the groups silently stopped working and every module's fixtures were built on
both workers; this test fails when that happens again.
"""

from __future__ import annotations

import pytest


def test_this_module_is_one_group_on_the_workers(request: pytest.FixtureRequest) -> None:
    if not hasattr(request.config, "workerinput"):
        pytest.skip("runs under pytest-xdist only (make test)")
    assert request.node.nodeid.endswith("@core/test_suite_groups"), request.node.nodeid
