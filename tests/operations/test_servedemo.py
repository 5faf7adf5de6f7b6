"""``vib serve-demo``: the demo's three processes are stopped together (what ``make run`` needs).

Starting the real web server, worker and scheduler takes tens of seconds on a busy machine;
that was checked by hand on a port of its own (the final report of issue 14). Here: the
address check, and that stopping reaches a child's own children (runserver's reloader)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from django.core.management import CommandError, call_command

from vib.operations.management.commands.servedemo import _stop_all


@pytest.mark.parametrize("address", ["8000", "host:", "127.0.0.1:0", "127.0.0.1:99999"])
def test_a_wrong_address_is_refused(address: str) -> None:
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("servedemo", address)


def test_stopping_ends_each_child_and_what_it_started() -> None:
    # A child that started a grandchild, like runserver's reloader does.
    child = subprocess.Popen(
        ["/bin/sh", "-c", "sleep 300 & echo $!; wait"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert child.stdout is not None
    grandchild = int(child.stdout.readline())
    started = time.monotonic()
    _stop_all({"web": child})
    assert child.poll() is not None
    assert time.monotonic() - started < 5
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    for _ in range(50):  # a killed orphan is reaped by init a moment later
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True
