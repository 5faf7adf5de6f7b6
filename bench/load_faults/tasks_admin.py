"""The task queue seen from outside: ``count`` (rows by status) or ``requeue`` (dead workers').

``requeue`` is what the ``operations.tasks_recover`` job does after ``VIB_TASK_STALE_SECONDS``,
without the wait. The run only calls it when the queue is otherwise empty and the workers are
idle, so a row still ``RUNNING`` then belongs to a worker that died.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import timedelta


def main(action: str) -> None:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from vib.operations.idempotency import requeue_stale_tasks

    if action == "requeue":
        requeued, failed = requeue_stale_tasks(stale_after=timedelta(0), max_attempts=10)
        json.dump({"requeued": requeued, "failed": failed}, sys.stdout)
        return
    statuses = Counter(DBTaskResult.objects.values_list("status", flat=True))
    json.dump(dict(statuses), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
