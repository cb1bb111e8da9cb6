"""Authorization of the web pages (service.web), the pages' counterpart of the API's matrix:

* every page route is listed here (a new page cannot slip past), with who may open it;
* anonymous visitors are sent to the sign-in page (303) except on the public pages;
* each demo account opens each page with 200, or 403 where its role has no business there;
* a nomination page answers 200 exactly for the nominations the service's scope lets the user
  see, 404 for the others (another unit's nomination is not even admitted to exist);
* the action forms on a nomination page are exactly the service's ``next_actions`` for the user;
* every POST needs the session's CSRF token, and a forged or forbidden action changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.api.app import create_app
from service.demo import DEMO_PASSWORD
from service.models import Nomination
from service.queries import next_actions
from service.scope import can_act_on
from service.users import actor_of
from service.models import User
from tests.e2e.conftest import demo_users, fingerprint

ALL = "all"  # every signed-in role
CITY = frozenset({"board_officer", "council_member", "approver", "admin"})
# GET page → roles answered 200 (others: 403); None = public (anonymous too).
PAGES: dict[str, str | frozenset[str] | None] = {
    "/web/login": None,
    "/web/public": None,
    "/web/diagrams/{machine}": None,
    "/web/": ALL,
    "/web/nominations": ALL,
    "/web/nominations/new": ALL,
    "/web/nominations/{nomination_id}": ALL,  # 200 or 404 by scope, checked below
    "/web/nominations/{nomination_id}/edit": ALL,
    "/web/attachments/{attachment_id}": ALL,
    "/web/documents/{document_id}": ALL,
    "/web/clusters": ALL,
    "/web/clusters/{cy_id}": ALL,
    "/web/council": frozenset({"board_officer", "council_member", "approver", "admin"}),
    "/web/council/{session_id}": frozenset({"board_officer", "council_member", "approver", "admin"}),
    "/web/admin": frozenset({"admin"}),
    "/web/admin/audit": frozenset({"admin"}),
    # Issue 10 pages (certificates, spreadsheets, statistics, what-if calendar, revocations).
    "/web/nominations/{nomination_id}/certificate": ALL,  # by scope, as the nomination page
    "/web/public/certificates/{code}": None,
    "/web/exports/nominations.xlsx": ALL,  # the user's own scope
    "/web/exports/decisions/{decision_id}/annex.xlsx": CITY,
    "/web/clusters/{cy_id}/ballots/{ballot_id}/minutes.xlsx": ALL,  # by the year's scope: tests/e2e/test_page_minutes_xlsx.py
    "/web/imports/nominees": frozenset({"submitter", "unit_head"}),
    "/web/imports/nominees/template.xlsx": ALL,
    "/web/statistics": CITY,
    "/web/statistics.xlsx": CITY,
    "/web/campaigns": frozenset({"board_officer", "admin"}),
    "/web/campaigns/{campaign_id}/what-if": frozenset({"board_officer", "admin"}),
    "/web/titles": CITY,
    "/web/reviews": CITY,
}
EXAMPLE = {"machine": "nomination", "nomination_id": "1", "cy_id": "1", "session_id": "1", "ballot_id": "1",
           "attachment_id": "1", "document_id": "1", "action": "submit", "step": "open_scoring",
           "code": "no-such-code", "decision_id": "1", "campaign_id": "1", "title_id": "1", "review_id": "1"}
# Public pages whose example names nothing (a certificate code is random): 404 for everyone.
UNKNOWN_EXAMPLE = frozenset({"/web/public/certificates/{code}"})
# Public, read-only forms (checking a certificate): no sign-in and no CSRF token needed.
PUBLIC_POSTS = frozenset({"/web/public/certificates/{code}/verify"})
# Id pages checked for every role with the example ids (they exist in the demo).
ID_PAGES = ("/web/diagrams/{machine}", "/web/council/{session_id}", "/web/clusters/{cy_id}",
            "/web/campaigns/{campaign_id}/what-if", "/web/exports/decisions/{decision_id}/annex.xlsx")


def web_routes(app: Any) -> list[tuple[str, str]]:
    from fastapi.routing import iter_route_contexts

    found = []
    for r in iter_route_contexts(app.routes):
        route = r.original_route
        if isinstance(route, APIRoute) and route.endpoint.__module__.startswith("service.web."):
            found += [(m, r.path) for m in sorted(route.methods)]
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: EXAMPLE[m.group(1)], path)


@pytest.fixture
def sign_in(demo_engine: Engine) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def _sign_in(username: str) -> TestClient:
        c = TestClient(create_app(demo_engine))
        clients.append(c)
        r = c.post("/web/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": login_token(c)},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/web/", r.text
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
        return c

    yield _sign_in
    for c in clients:
        c.close()


def login_token(c: TestClient) -> str:
    """The sign-in form's double-submit token (also set as a cookie on ``c``)."""
    match = re.search(r'name="csrf" value="([^"]+)"', c.get("/web/login").text)
    assert match
    return match.group(1)


def test_every_page_route_has_a_rule(client: TestClient) -> None:
    gets = {path for method, path in web_routes(client.app) if method == "GET"}
    assert gets == set(PAGES), f"pages without a rule here: {gets - set(PAGES)}; rules for missing pages: {set(PAGES) - gets}"


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for method, path in web_routes(client.app):
        url = concrete(path)
        r = client.request(method, url, follow_redirects=False, data={} if method == "POST" else None)
        if method == "GET" and PAGES[path] is None:
            assert r.status_code == (404 if path in UNKNOWN_EXAMPLE else 200), (method, url)
            assert 'lang="vi"' in r.text
        elif path in PUBLIC_POSTS:
            assert r.status_code == 404 and 'role="alert"' in r.text, (method, url)  # the example code names nothing
        elif path == "/web/login":
            assert r.status_code == 422, (method, url)  # an empty sign-in form
        else:
            assert r.status_code == 303, (method, url, r.status_code)
            assert r.headers["location"].startswith("/web/login?next="), (method, url)


def test_each_role_opens_its_pages(sign_in: Callable[[str], TestClient]) -> None:
    for user in demo_users():
        c = sign_in(user.username)
        for path, rule in PAGES.items():
            if "{" in path and path not in ID_PAGES:
                continue  # id pages by scope: below
            r = c.get(concrete(path), follow_redirects=False)
            if path == "/web/login":
                assert r.status_code == 303, user.username  # already signed in
                continue
            if path == "/web/clusters/{cy_id}":
                member = user.role in ("cluster_member", "cluster_head") and user.unit in {"SO_LDTBXH", "SO_VHTT"}
                city = user.role in ("board_officer", "council_member", "approver", "admin")
                assert r.status_code == (200 if member or city else 404), (user.username, path, r.status_code)
                continue
            allowed = rule is None or rule == ALL or user.role in rule  # type: ignore[operator]
            assert r.status_code == (200 if allowed else 403), (user.username, path, r.status_code)


def test_nomination_pages_follow_the_scope_and_offer_only_allowed_actions(
    sign_in: Callable[[str], TestClient], demo_engine: Engine
) -> None:
    with Session(demo_engine) as s:
        nominations = list(s.exec(select(Nomination).order_by(Nomination.id)))
        users = {u.username: u for u in s.exec(select(User))}
        expected = {
            name: {n.id: (can_act_on(s, actor_of(u), n), sorted(next_actions(n, actor_of(u)))) for n in nominations}
            for name, u in users.items()
        }
    seen_other_unit_404 = False
    for name, per_nomination in expected.items():
        c = sign_in(name)
        for nomination_id, (visible, actions) in per_nomination.items():
            r = c.get(f"/web/nominations/{nomination_id}")
            assert r.status_code == (200 if visible else 404), (name, nomination_id)
            if visible:
                offered = sorted(re.findall(r'data-action="(\w+)"', r.text))
                assert offered == actions, (name, nomination_id, offered, actions)
            elif users[name].role == "submitter":
                seen_other_unit_404 = True
    assert seen_other_unit_404  # the demo has other units' nominations a submitter must not see
    # The submitter of Sở Y tế sees its own unit's nominations and not the Education department's.
    assert any(v for v, _ in expected["cb.soyt"].values()) and not expected["cb.soyt"][1][0]


def test_posts_need_the_csrf_token(sign_in: Callable[[str], TestClient], demo_engine: Engine) -> None:
    c = sign_in("cb.sogddt")
    before = fingerprint(demo_engine)
    for method, path in web_routes(c.app):
        if method != "POST" or path == "/web/login" or path in PUBLIC_POSTS:
            continue
        r = c.post(concrete(path), data={"csrf": "forged"}, files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}
                   if path.endswith("/attachments") else None, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
    assert fingerprint(demo_engine) == before


def _csrf(c: TestClient, url: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', c.get(url).text)
    assert match, url
    return match.group(1)


def test_a_forbidden_action_posted_anyway_is_refused(sign_in: Callable[[str], TestClient], demo_engine: Engine,
                                                    restore: Callable[[], None]) -> None:
    with Session(demo_engine) as s:
        received = s.exec(select(Nomination).where(Nomination.proposing_unit_code == "SO_GDDT", Nomination.state == "received")).first()
        draft_elsewhere = s.exec(select(Nomination).where(Nomination.proposing_unit_code != "SO_GDDT", Nomination.state == "draft")).first()
    assert received is not None and draft_elsewhere is not None
    c = sign_in("cb.sogddt")
    token = _csrf(c, f"/web/nominations/{received.id}")
    before = fingerprint(demo_engine)
    # A submitter may not receive its own nomination at the Board (not offered; refused when posted).
    r = c.post(f"/web/nominations/{received.id}/act/start_appraisal", data={"csrf": token})
    assert r.status_code == 403 and "start_appraisal" not in re.findall(r'data-action="(\w+)"', r.text)
    assert 'role="alert"' in r.text
    # Another unit's draft: not found, as on its page.
    r = c.post(f"/web/nominations/{draft_elsewhere.id}/act/submit", data={"csrf": token})
    assert r.status_code == 404
    # A bulk action is refused nomination by nomination.
    r = c.post("/web/nominations/bulk/receive", data={"csrf": token, "ids": [str(received.id)]})
    assert r.status_code == 409 and 'data-result="refused"' in r.text
    assert fingerprint(demo_engine) == before
    restore()


def test_sign_in_needs_the_form_token(client: TestClient) -> None:
    """Another site cannot post the sign-in form (no token, or a token without its cookie)."""
    r = client.post("/web/login", data={"username": "cb.soyt", "password": DEMO_PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "tdkt_session" not in r.headers.get("set-cookie", "")
    token = login_token(client)
    client.cookies.clear()
    r = client.post("/web/login", data={"username": "cb.soyt", "password": DEMO_PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 403 and "tdkt_session" not in r.headers.get("set-cookie", "")


def test_sign_in_failures_share_the_api_rate_limit(client: TestClient, restore: Callable[[], None]) -> None:
    statuses = [client.post("/web/login", data={"username": "cb.soyt", "password": "wrong-password",
                                                "csrf": login_token(client)}).status_code
                for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    r = client.post("/auth/token", data={"username": "cb.soyt", "password": DEMO_PASSWORD})
    assert r.status_code == 429  # the same counter as the API's
    restore()


def test_admin_page_reports_prefect_down_and_audit_intact(sign_in: Callable[[str], TestClient]) -> None:
    from service.web.settings import WebSettings, get_web_settings

    c = sign_in("admin")
    # Port 9 (discard) on loopback: nothing answers, so the page must say so and still render.
    c.app.dependency_overrides[get_web_settings] = lambda: WebSettings(prefect_ui_url="http://127.0.0.1:9")
    r = c.get("/web/admin")
    assert r.status_code == 200
    assert 'id="prefect-down"' in r.text and 'href="http://127.0.0.1:9"' in r.text
    assert "cb.sogddt" in r.text and "2025.7" in r.text  # users and the rule set in force
    r = c.get("/web/admin/audit")
    assert r.status_code == 200 and "Toàn bộ chuỗi nhật ký nguyên vẹn." in r.text


def test_submitting_an_ineligible_draft_explains_what_is_missing(sign_in: Callable[[str], TestClient], demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        draft = s.exec(select(Nomination).where(Nomination.proposing_unit_code == "THANH_TRA", Nomination.state == "draft")).first()
    assert draft is not None
    c = sign_in("cb.thanhtra")
    page = c.get(f"/web/nominations/{draft.id}").text
    assert 'id="eligibility"' in page and "Chưa đủ điều kiện" in page and "Chiến sĩ thi đua cơ sở" in page
    before = fingerprint(demo_engine)
    r = c.post(f"/web/nominations/{draft.id}/act/submit", data={"csrf": _csrf(c, f"/web/nominations/{draft.id}")})
    assert r.status_code == 422 and 'role="alert"' in r.text and "chưa đủ điều kiện" in r.text
    assert fingerprint(demo_engine) == before
