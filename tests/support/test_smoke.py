import pytest

pytestmark = pytest.mark.django_db


def test_demo_builds(sdemo, client, people):
    client.force_login(people["steunpunt-adviseur"])
    r = client.get("/steunpunt/team")
    assert r.status_code == 200, r.content.decode()[:3000]
