"""The probes answer whatever host the prober names (ADR 0152).

The kubelet asks ``http://<pod address>:8000/healthz`` and the image's ``HEALTHCHECK`` asks
``http://127.0.0.1:8000/healthz``; in production ``VIB_ALLOWED_HOSTS`` lists only the public
name and HTTPS is enforced, so before the probe middleware these answered 400 (and 301)
and a pod never became ready.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PRODUCTION_LIKE = {"ALLOWED_HOSTS": ["vib.gemeente.example"], "SECURE_SSL_REDIRECT": True}


@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
@pytest.mark.parametrize("host", ["10.244.1.17:8000", "127.0.0.1:8000"])
def test_a_probe_over_http_with_an_unlisted_host_is_answered(client, settings, probe, host):
    for name, value in PRODUCTION_LIKE.items():
        setattr(settings, name, value)
    response = client.get(probe, HTTP_HOST=host)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_a_probe_answers_get_and_head_only(client, probe):
    assert client.head(probe).status_code == 200
    for method in (client.post, client.put, client.delete):
        response = method(probe)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


def test_every_other_path_still_checks_the_host_and_redirects_to_https(client, settings):
    for name, value in PRODUCTION_LIKE.items():
        setattr(settings, name, value)
    assert client.get("/inloggen", HTTP_HOST="10.244.1.17:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="10.244.1.17:8000").status_code == 400
    response = client.get("/inloggen", HTTP_HOST="vib.gemeente.example")
    assert response.status_code == 301
    assert response["Location"] == "https://vib.gemeente.example/inloggen"


def test_readyz_is_503_while_a_migration_is_pending_and_then_checks_no_more(client, monkeypatch):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from vib.core import views

    monkeypatch.setattr(views, "_MIGRATIONS_APPLIED", set())
    last = MigrationRecorder.Migration.objects.filter(app="incidents").latest("id")
    last.delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 pending"
    MigrationRecorder(connection).record_applied(last.app, last.name)
    assert client.get("/readyz").status_code == 200
    assert connection.alias in views._MIGRATIONS_APPLIED
    plans: list[object] = []
    monkeypatch.setattr(views, "MigrationExecutor", lambda *a: plans.append(a))
    assert client.get("/readyz").status_code == 200
    assert not plans  # remembered: the graph is not built again
