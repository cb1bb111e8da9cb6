"""The rendered pages never offer an action the user may not take: for each demo account and
each nomination, the action forms in the browser are exactly the ``allowed_actions`` the API
gives the same account; other units' nominations are not found. Also the language switch and
the basic accessibility promises (a lang attribute, a label for every field)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from service.demo import DEMO_PASSWORD

ACCOUNTS = ("cb.sogddt", "tt.sogddt", "cb.thanhtra", "cum7.truong", "ban.tdkt", "hd.thanhvien", "chutich", "admin")


def test_forms_match_the_allowed_actions(login: Callable[[str], Page]) -> None:
    for username in ACCOUNTS:
        page = login(username)
        token = page.request.post("/auth/token", form={"username": username, "password": DEMO_PASSWORD}).json()["access_token"]
        listed = page.request.get("/nominations?limit=200", headers={"Authorization": f"Bearer {token}"}).json()["items"]
        visible = {n["id"] for n in listed}
        for nomination_id in range(1, 20):
            response = page.goto(f"/web/nominations/{nomination_id}")
            assert response is not None
            if nomination_id not in visible:
                assert response.status == 404, (username, nomination_id)
                continue
            api = page.request.get(f"/nominations/{nomination_id}", headers={"Authorization": f"Bearer {token}"}).json()
            offered = page.locator("form[data-action]").evaluate_all("fs => fs.map(f => f.dataset.action)")
            assert sorted(offered) == sorted(a["action"] for a in api["allowed_actions"]), (username, nomination_id)


def test_english_switch_and_accessibility(login: Callable[[str], Page]) -> None:
    page = login("cb.sogddt")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Waiting for you")
    page.goto("/web/nominations/new")  # the choice is remembered (cookie)
    expect(page.locator("h1")).to_have_text("New nomination")
    for path in ("/web/nominations/new", "/web/nominations/11", "/web/public", "/web/nominations"):
        page.goto(path)
        unlabeled = page.locator("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea").evaluate_all(
            "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)")
        assert unlabeled == [], (path, unlabeled)
    # Keyboard: the skip link is the first stop and leads to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("href", "#main")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_diagram_highlights_the_current_state(login: Callable[[str], Page]) -> None:
    page = login("cb.sogddt")
    page.goto("/web/nominations/8")
    state = page.locator("[data-state]").inner_text()  # whatever other tests left it at
    page.get_by_role("link", name="Sơ đồ trạng thái").click()
    expect(page.locator("#current-state")).to_have_text(state)
    svg = page.locator("#diagram svg")
    expect(svg).to_be_visible()  # drawn by the vendored mermaid, no network
    expect(page.locator("#diagram svg .current")).to_have_count(1)
    expect(page.locator("#diagram svg .current")).to_contain_text(state)
