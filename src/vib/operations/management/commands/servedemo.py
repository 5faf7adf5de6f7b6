"""``vib servedemo``: the whole demo in one command — web server, task worker and scheduler.

``make run`` uses it. The three run as child processes of this one, each in its own process
group; when one of them stops, or on Ctrl-C (SIGINT) or SIGTERM, all are stopped and this
command exits (with the status of the first one that stopped by itself). Every child gets
``VIB_SITE_URL`` set to the address served, unless it is set already, so links in e-mails
point at the server that is actually running (not at a fixed port).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

GRACE = 10.0  # seconds a child gets to stop before it is killed


class Command(BaseCommand):
    help = _("Serve the demo: the web server, the task worker and the scheduler, stopped together.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="HOST:PORT")
        parser.add_argument(
            "--noreload", action="store_true", help=_("Do not restart on code changes.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, _sep, port = options["address"].rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(_("Give the address as HOST:PORT, e.g. 127.0.0.1:8000."))
        env = {**os.environ}
        env.setdefault("VIB_SITE_URL", f"http://{host}:{port}")
        vib = [sys.executable, "-m", "vib"]
        commands = {
            "web": [*vib, "runserver", f"{host}:{port}"]
            + (["--noreload"] if options["noreload"] else []),
            "worker": [*vib, "worker"],
            "scheduler": [*vib, "scheduler"],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = {"signal": 0}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            for name, command in commands.items():
                # Own process group: the children do not get the terminal's Ctrl-C themselves
                # (runserver's reloader would leave its child behind); this command stops them.
                children[name] = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
            self.stdout.write(
                _("Web server, task worker and scheduler are running (stop all: Ctrl-C).")
            )
            status = 0
            while not stopping["signal"]:
                ended = [(n, c.returncode) for n, c in children.items() if c.poll() is not None]
                if ended:
                    name, status = ended[0]
                    self.stderr.write(
                        _("The %(name)s process stopped (status %(status)s); stopping the others.")
                        % {"name": name, "status": status}
                    )
                    break
                time.sleep(0.5)
        finally:
            _stop_all(children)
        if status:
            raise SystemExit(status)


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    for child in children.values():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)  # the child and what it started (runserver's reloader)
