"""The clients of the load-and-fault run: threads that write through the API and log each try.

Every write carries a fresh marker (a UUID) so that the verification can find it in the
database: a new incident has ``locatie = "LF-<marker>"``, an update sets
``omschrijving = "LF <marker>"``, an integrity message has ``tekst = "LF <marker>"``. A write
is *acknowledged* when the answer was 2xx. A write whose answer never came (connection error,
time-out) or was an error is *not* acknowledged and never retried with the same marker (a
real client would retry with an idempotency key; here the question is only whether what was
acknowledged is there, once).

Clients alternate between the app processes request by request (a round-robin proxy in
miniature), and keep one keep-alive connection per app process.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT = (3.0, 30.0)

INCIDENT_TYPES = ["verbaal", "bedreiging", "intimidatie", "discriminatie"]
CHANNELS = ["persoonlijk", "telefoon", "brief_email", "sociale_media"]
PLACES = ["balie_kantoor", "buiten", "online"]
SEVERITIES = ["minder_ernstig", "ernstig"]


@dataclass
class Shared:
    ports: list[int]
    tokens: dict[str, str]  # reporter, handler, integrity
    cases: list[str]
    started: float
    stop: threading.Event = field(default_factory=threading.Event)
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_port(self) -> int:
        with self.lock:
            self.counter += 1
            return self.ports[self.counter % len(self.ports)]


class Client(threading.Thread):
    def __init__(self, number: int, shared: Shared, seed: int) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.shared = shared
        self.rng = random.Random(seed)
        self.log: list[dict[str, Any]] = []
        self.sessions = {port: requests.Session() for port in shared.ports}
        self.incidents: list[tuple[str, str]] = []  # (id, create marker) acknowledged

    def run(self) -> None:
        while not self.shared.stop.is_set():
            roll = self.rng.random()
            if roll < 0.35 or (roll < 0.7 and not self.incidents):
                ok = self.create_incident()
            elif roll < 0.7:
                ok = self.update_incident()
            else:
                ok = self.write_message()
            if not ok:
                time.sleep(0.1)

    # -- the writes --------------------------------------------------------------------------

    def create_incident(self) -> bool:
        marker = uuid.uuid4().hex
        body = {
            "datumTijd": "2026-05-01T10:00:00+02:00",
            "soorten": [self.rng.choice(INCIDENT_TYPES)],
            "kanaal": self.rng.choice(CHANNELS),
            "plaats": self.rng.choice(PLACES),
            "ernst": self.rng.choice(SEVERITIES),
            "locatie": f"LF-{marker}",
            "omschrijving": f"LF {marker}",
        }
        answer = self.call("create", marker, "post", "/incidenten", "reporter", body)
        if answer is not None:
            self.incidents.append((answer["id"], marker))
        return answer is not None

    def update_incident(self) -> bool:
        incident_id, created = self.rng.choice(self.incidents)
        marker = uuid.uuid4().hex
        body = {"omschrijving": f"LF {marker}", "ernst": self.rng.choice(SEVERITIES)}
        answer = self.call(
            "update", marker, "patch", f"/incidenten/{incident_id}", "handler", body, of=created
        )
        return answer is not None

    def write_message(self) -> bool:
        case = self.rng.choice(self.shared.cases)
        marker = uuid.uuid4().hex
        body = {"tekst": f"LF {marker}", "naarMelder": False}
        answer = self.call(
            "message", marker, "post", f"/integriteitszaken/{case}/berichten", "integrity", body
        )
        return answer is not None

    # -- one request ---------------------------------------------------------------------------

    def call(
        self,
        op: str,
        marker: str,
        method: str,
        path: str,
        who: str,
        body: dict[str, Any],
        of: str = "",
    ) -> dict[str, Any] | None:
        port = self.shared.next_port()
        entry: dict[str, Any] = {"op": op, "marker": marker, "port": port}
        if of:
            entry["of"] = of
        started = time.monotonic()
        entry["t"] = round(started - self.shared.started, 3)
        try:
            response = self.sessions[port].request(
                method,
                f"http://127.0.0.1:{port}/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {self.shared.tokens[who]}"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            entry["error"] = type(exc).__name__
            entry["t_end"] = round(time.monotonic() - self.shared.started, 3)
            self.log.append(entry)
            return None
        entry["t_end"] = round(time.monotonic() - self.shared.started, 3)
        entry["status"] = response.status_code
        if response.status_code == 503:
            entry["retry_after"] = response.headers.get("Retry-After")
        self.log.append(entry)
        if 200 <= response.status_code < 300:
            return response.json()  # type: ignore[no-any-return]
        return None
