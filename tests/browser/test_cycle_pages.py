"""Cluster and council pages in a real browser: member units self-score, the cluster head closes
scoring and runs the honouring ballot, a member casts its paper; the Board opens a council
session, a council member votes, the Board closes and counts it and signs the minutes. Each
user sees only the forms of their own steps."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def self_score(page: Page) -> None:
    page.goto("/web/")
    page.get_by_role("link", name="Tự chấm điểm cho đơn vị").click()
    form = page.locator("form[action$='/self-score']")
    for field in form.locator("input[name^='c_']").all():
        field.fill(str(round(float(field.get_attribute("max") or 0) * 0.8, 2)))
    for field in form.locator("input[name^='e_']").all():
        field.fill("Báo cáo tổng kết năm 2026, phụ lục số liệu")
    for box in form.locator("input[name^='gate_']").all():
        box.check()
    form.get_by_role("button", name="Tự chấm điểm").click()
    expect(page.locator(".flash.ok")).to_be_visible()


def steps(page: Page) -> list[str]:
    return page.locator("form[data-step]").evaluate_all("fs => fs.map(f => f.dataset.step)")


def test_cluster_year_scoring_and_ballot(login: Callable[[str], Page]) -> None:
    member = login("cum7.thanhvien")
    self_score(member)
    expect(member.locator("#ranking")).to_contain_text("Sở Văn hóa và Thể thao")
    assert steps(member) == []  # a member unit never sees the head's steps

    head = login("cum7.truong")
    head.goto("/web/clusters/1")
    assert steps(head) == []  # scoring cannot close: the head's own unit has not scored yet
    self_score(head)
    assert steps(head) == ["close_scoring"]
    head.locator("form[data-step='close_scoring'] button").click()
    expect(head.locator("[data-state]")).to_have_text("Đã chốt điểm (đã chấm chéo)")
    open_form = head.locator("form[data-step='open_ballot']")
    open_form.locator("fieldset").first.locator("input[type=checkbox]").first.check()
    open_form.get_by_role("button").click()
    expect(head.locator("[data-state]")).to_have_text("Đang bỏ phiếu suy tôn")

    member.goto("/web/")
    member.get_by_role("link", name="Bỏ phiếu suy tôn của Cụm").click()
    ballot = member.locator("#cast-ballot")
    for choice in ballot.locator("select").all():
        choice.select_option("yes")
    ballot.get_by_role("button", name="Bỏ phiếu").click()
    expect(member.locator("#cast-ballot")).to_have_count(0)  # one paper per unit
    expect(member.locator("section[data-ballot]")).to_contain_text("Bạn đã bỏ phiếu.")

    head.goto("/web/clusters/1")
    assert "close_ballot" in steps(head)
    head.locator("form[data-step='close_ballot'] button").click()
    expect(head.locator("[data-state]")).to_have_text("Đã kiểm phiếu")
    expect(head.locator("table.results")).to_be_visible()  # the count, only now that the round is closed


def test_board_receives_in_bulk_and_fills_the_agenda(login: Callable[[str], Page]) -> None:
    officer = login("ban.tdkt")
    officer.goto("/web/nominations?state=submitted")
    rows = officer.locator("tbody tr[data-nomination]")
    ids = rows.evaluate_all("rs => rs.map(r => r.dataset.nomination)")
    assert ids, "the demo has submitted nominations"
    for nomination_id in ids:
        officer.locator(f"#sel-{nomination_id}").check()
    officer.locator("button[data-bulk='receive']").click()
    expect(officer.locator("li[data-result='ok']")).to_have_count(len(ids))
    for action in ("start_appraisal", "send_to_council"):
        officer.goto("/web/nominations?state=" + ("received" if action == "start_appraisal" else "in_appraisal"))
        for nomination_id in ids:
            officer.locator(f"#sel-{nomination_id}").check()
        officer.locator(f"button[data-bulk='{action}']").click()
        # Each nomination goes only where its route allows; the others are refused one by one.
        expect(officer.locator("li[data-result]")).to_have_count(len(ids))
    officer.goto("/web/council/1")
    waiting = officer.locator("#add-agenda input[name=ids]")
    count = waiting.count()
    assert count >= 1
    for box in waiting.all():
        box.check()
    officer.locator("#add-agenda button").click()
    expect(officer.locator("#agenda tbody tr")).to_have_count(1 + count)


def test_council_session_vote(login: Callable[[str], Page]) -> None:
    officer = login("ban.tdkt")
    officer.goto("/web/council/1")
    assert steps(officer) == ["open_session"]
    officer.locator("form[data-step='open_session'] button").click()
    expect(officer.locator("[data-state]")).to_have_text("Đang họp, bỏ phiếu")
    expect(officer.locator("#council-ballot")).to_have_count(0)  # the Board does not vote

    member = login("hd.thanhvien")
    member.goto("/web/")
    member.get_by_role("link", name="Bỏ phiếu tại phiên họp Hội đồng").click()
    assert steps(member) == []  # a member does not run the session
    paper = member.locator("#council-ballot")
    for choice in paper.locator("select").all():
        choice.select_option("yes")
    paper.get_by_role("button", name="Bỏ phiếu").click()
    expect(member.locator("#council-ballot")).to_have_count(0)
    expect(member.locator("main")).to_contain_text("Bạn đã bỏ phiếu.")

    officer.goto("/web/council/1")
    officer.locator("form[data-step='close_session'] button").click()
    expect(officer.locator("[data-state]")).to_have_text("Đã kết thúc, đã kiểm phiếu")
    officer.get_by_label("Người ký").fill("Hoàng Thị Lan")
    officer.locator("form[data-step='sign_minutes'] button").click()
    expect(officer.locator("[data-state]")).to_have_text("Đã ký biên bản")
