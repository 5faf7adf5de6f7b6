"""Settings of the worker that ``test_worker.py`` starts as a process: the test settings with
the production task backend (django-tasks-db) instead of the immediate one."""

from vib.conf.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
