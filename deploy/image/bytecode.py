"""Bytecode for what a process of the image imports when it starts, and for nothing else.

Run in the image build after slimming (ADR 0127), with bytecode writing on: importing writes
the ``.pyc`` files. The root file system is read-only at run time, so a module without
bytecode is compiled in memory each time a process imports it: this keeps ``web`` (gunicorn
and the WSGI application with every URL pattern), ``worker`` and ``scheduler`` fast to start,
while NumPy, SciPy, Arrow and WeasyPrint, which VIB imports on first use, carry none.
"""

import importlib
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")

for module in ("gunicorn.app.wsgiapp", "gunicorn.arbiter", "gunicorn.workers.sync",
               "gunicorn.glogging"):  # fmt: skip
    importlib.import_module(module)

from django.core.management import get_commands, load_command_class  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from vib.conf.wsgi import application  # noqa: E402, F401

get_resolver().url_patterns  # noqa: B018 - imports every view module
# /readyz compares the applied migrations with the migration files: it imports them all.
MigrationLoader(None, ignore_no_migrations=True)
commands = get_commands()
for name in ("worker", "scheduler", "migrate"):
    load_command_class(commands[name], name)
written = sum(1 for m in sys.modules.values() if getattr(m, "__cached__", None))
print(f"bytecode: {written} modules imported")
