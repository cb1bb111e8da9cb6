"""Uploads on the pages get the same checks as over the API (service/uploads.py): a path in the
file name, a mislabelled file or an oversized one is refused on the page, with the API's status,
and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.settings import get_settings
from service.api.app import create_app
from service.demo import DEMO_PASSWORD
from service.models import Nomination

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"


@pytest.fixture
def submitter(demo_engine: Engine) -> TestClient:
    c = TestClient(create_app(demo_engine))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/web/login").text)
    assert token
    r = c.post("/web/login", data={"username": "cb.sogddt", "password": DEMO_PASSWORD, "csrf": token.group(1)},
               follow_redirects=False)
    assert r.status_code == 303
    return c


@pytest.mark.parametrize(("name", "content", "content_type", "status"), [
    ("../../etc/passwd.pdf", PDF, "application/pdf", 422),
    ("/etc/cron.d/x.pdf", PDF, "application/pdf", 422),
    ("tệp.pdf", b"MZ\x90\x00not a pdf", "application/pdf", 415),
    ("lớn.pdf", PDF + b"0" * (get_settings().attachment_max_bytes + 1), "application/pdf", 413),
])
def test_a_refused_file_on_the_page_stores_nothing(
    submitter: TestClient, demo_engine: Engine, fingerprint_of: Callable[[int], dict], name: str, content: bytes,
    content_type: str, status: int,
) -> None:
    with Session(demo_engine) as s:
        draft = s.exec(select(Nomination).where(Nomination.proposing_unit_code == "SO_GDDT", Nomination.state == "draft")).first()
        assert draft is not None
        draft_id = draft.id
    page = submitter.get(f"/web/nominations/{draft_id}").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert csrf
    before = fingerprint_of(draft_id)  # type: ignore[arg-type]
    r = submitter.post(f"/web/nominations/{draft_id}/attachments", data={"csrf": csrf.group(1)},
                       files={"file": (name, content, content_type)}, follow_redirects=False)
    assert r.status_code == status, (name, r.status_code, r.text[:300])
    assert 'role="alert"' in r.text
    assert fingerprint_of(draft_id) == before  # type: ignore[arg-type]


@pytest.fixture
def fingerprint_of(demo_engine: Engine) -> Callable[[int], dict]:
    from tests.e2e.conftest import fingerprint

    return lambda nomination_id: fingerprint(demo_engine, nomination_id)
