"""Helpers shared by the integrity tests."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

CODE = re.compile(r'data-testid="receipt-code">([0-9A-Z-]+)<')


def pdf_file(
    name: str = "bewijs.pdf", body: bytes = b"%PDF-1.4 demo evidence"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


META = ("REMOTE_ADDR", "HTTP_USER_AGENT")


def submit(client: Any, organisation: Any, **fields: Any) -> tuple[Any, str | None]:
    meta = {k: fields.pop(k) for k in META if k in fields}
    data = {
        "case_type": "report",
        "channel": "anonymous",
        "summary": "Er wordt geknoeid met declaraties op afdeling X.",
        "name": "",
        "email": "",
        "phone": "",
    }
    data.update(fields)
    # Post/Redirect/Get: a sent report is answered by a redirect to the receipt page.
    response = client.post(f"/integriteit/melden/{organisation.id}", data, follow=True, **meta)
    found = CODE.search(response.content.decode())
    return response, found.group(1) if found else None


def open_mailbox(client: Any, code: str, **meta: Any) -> Any:
    return client.post("/integriteit/brievenbus", {"code": code}, **meta)
