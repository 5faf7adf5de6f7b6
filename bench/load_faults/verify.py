"""What the database holds after the run, compared with what the clients were told.

Run inside VIB's Django (``python -m load_faults.verify CLIENT_LOG.json``, with
``DJANGO_SETTINGS_MODULE=load_faults.settings``); prints one JSON object:

* ``incidents`` / ``messages``: acknowledged writes found 0 times (lost), more than once
  (duplicated); unacknowledged tries that did commit (allowed: the answer was lost, not the
  write); rows with a marker nobody sent (phantoms);
* ``updates``: incidents whose final description is older than their last acknowledged
  update (a lost update);
* ``tasks``: the notification task of each new incident — rows per incident, by status;
* ``recipients``: per acknowledged incident reference, how many coordinators its notification
  goes to (the run compares this with the mails the workers printed).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from typing import Any


def main(path: str) -> None:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from vib.incidents import capabilities, selectors
    from vib.incidents.models import Incident
    from vib.integrity import crypto
    from vib.integrity.models import Message

    with open(path, encoding="utf-8") as handle:
        log: list[dict[str, Any]] = json.load(handle)

    def acked(entry: dict[str, Any]) -> bool:
        return 200 <= entry.get("status", 0) < 300

    out: dict[str, Any] = {}

    # -- incidents: one row per acknowledged create --------------------------------------------
    rows = list(
        Incident.objects.filter(location__startswith="LF-").values_list(
            "id", "location", "description", "reference", "organisation_id"
        )
    )
    found = Counter(location[3:] for _id, location, *_rest in rows)
    by_marker = {location[3:]: (i, d, r, o) for i, location, d, r, o in rows}
    creates = [e for e in log if e["op"] == "create"]
    out["incidents"] = _compare(creates, found, acked)

    # -- updates: the final description is the last acknowledged one, or a later try ----------
    tries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in log:
        if entry["op"] == "update":
            tries[entry["of"]].append(entry)
    lost_updates = 0
    checked = 0
    for created, attempts in tries.items():
        attempts.sort(key=lambda e: e["t"])
        last_ack = max((k for k, e in enumerate(attempts) if acked(e)), default=None)
        if last_ack is None or created not in by_marker:
            continue
        checked += 1
        final = by_marker[created][1]
        allowed = {f"LF {e['marker']}" for e in attempts[last_ack:]}
        if final not in allowed:
            lost_updates += 1
    out["updates"] = {
        "acknowledged": sum(1 for e in log if e["op"] == "update" and acked(e)),
        "incidents_checked": checked,
        "lost": lost_updates,
    }

    # -- integrity messages (encrypted: opened here) ------------------------------------------
    bodies: Counter[str] = Counter()
    for message in Message.objects.all().iterator():
        body = crypto.open_text(
            message.organisation_id, "message.body", message.id, message.body_ct
        )
        if body.startswith("LF "):
            bodies[body[3:]] += 1
    messages = [e for e in log if e["op"] == "message"]
    out["messages"] = _compare(messages, bodies, acked)

    # -- the task each new incident enqueues ----------------------------------------------------
    task_rows: dict[str, list[str]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    for result in DBTaskResult.objects.all():
        if result.task_path.endswith("notify_new_incident"):
            task_rows[str(result.args_kwargs["kwargs"].get("incident_id"))].append(result.status)
            statuses[result.status] += 1
    ids = {str(i) for i, *_rest in rows}
    per_incident = Counter(len(task_rows.get(i, [])) for i in ids)
    recipients: dict[str, int] = {}
    holders: dict[Any, int] = {}
    for entry in creates:
        if acked(entry) and entry["marker"] in by_marker:
            _i, _d, reference, organisation_id = by_marker[entry["marker"]]
            if organisation_id not in holders:
                from vib.organisations.models import Organisation

                organisation = Organisation.objects.get(pk=organisation_id)
                holders[organisation_id] = len(
                    selectors.capability_holders(organisation, capabilities.COORDINATE)
                )
            recipients[reference] = holders[organisation_id]
    out["tasks"] = {
        "status": dict(statuses),
        "incidents_by_task_rows": {str(k): v for k, v in sorted(per_incident.items())},
        "stray_rows": sum(len(v) for k, v in task_rows.items() if k not in ids),
    }
    out["recipients"] = recipients
    json.dump(out, sys.stdout)


def _compare(entries: list[dict[str, Any]], found: Counter[str], acked: Any) -> dict[str, Any]:
    sent = {e["marker"] for e in entries}
    ack = [e for e in entries if acked(e)]
    not_ack = [e for e in entries if not acked(e)]
    return {
        "acknowledged": len(ack),
        "lost": sum(1 for e in ack if found[e["marker"]] == 0),
        "duplicated": sum(1 for e in entries if found[e["marker"]] > 1),
        "unacknowledged_tries": len(not_ack),
        "unacknowledged_but_committed": sum(1 for e in not_ack if found[e["marker"]] == 1),
        "phantoms": sum(1 for marker in found if marker not in sent),
    }


if __name__ == "__main__":
    main(sys.argv[1])
