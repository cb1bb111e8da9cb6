"""Issue 5's acceptance scenario in a real browser: a submitter creates and submits a
nomination, the unit head endorses it, a board officer returns it with a reason, the submitter
sees the reason and resubmits, the board appraises it and puts it up for signature, the approver
signs the decision, and the public page lists the awardee (found by an unaccented search)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

RETURN_REASON = "Thiếu biên bản bình xét của Hội đồng TĐKT đơn vị; đề nghị bổ sung."


def act(page: Page, action: str, **fields: str) -> None:
    """Fill and send the form of one allowed action (it must be on the page)."""
    form = page.locator(f"form[data-action='{action}']")
    expect(form).to_have_count(1)
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.get_by_role("button").click()
    expect(page.locator(".flash.ok")).to_be_visible()


def offered(page: Page) -> list[str]:
    return page.locator("form[data-action]").evaluate_all("fs => fs.map(f => f.dataset.action)")


def test_nomination_from_draft_to_public_decision(login: Callable[[str], Page], page: Page) -> None:
    submitter = login("cb.soyt")
    submitter.get_by_role("link", name="Lập hồ sơ mới").first.click()
    submitter.get_by_label("Hình thức khen thưởng").select_option("BK_TP")
    submitter.get_by_label("Cá nhân").select_option("P014")
    submitter.get_by_label("Tóm tắt thành tích").fill("Chủ trì đề án chuyển đổi số bệnh án điện tử toàn ngành.")
    submitter.get_by_role("button", name="Tạo dự thảo").click()
    expect(submitter.locator("h1")).to_contain_text("Cao Văn Đức")
    nomination_url = submitter.url.split("?")[0]
    nomination_id = int(re.search(r"/nominations/(\d+)", nomination_url).group(1))  # type: ignore[union-attr]
    expect(submitter.locator("#eligibility")).to_contain_text("Đủ điều kiện")
    assert offered(submitter) == ["submit", "withdraw"]
    act(submitter, "submit")
    expect(submitter.locator("[data-state]")).to_have_text("Chờ thủ trưởng đơn vị ký trình")
    assert offered(submitter) == ["withdraw"]  # the unit head's turn now

    head = login("tt.soyt")
    head.goto(nomination_url)
    act(head, "endorse")

    officer = login("ban.tdkt")
    officer.goto("/web/")
    expect(officer.locator(f"tr[data-nomination='{nomination_id}']")).to_be_visible()  # in the Board's inbox
    officer.goto(nomination_url)
    act(officer, "receive")
    # A return needs a reason: the browser will not send the form without one.
    expect(officer.locator("form[data-action='return_for_completion'] textarea[name='reason']")).to_have_attribute("required", "")
    act(officer, "return_for_completion", reason=RETURN_REASON)
    expect(officer.locator("[data-state]")).to_have_text("Trả lại để bổ sung hồ sơ")

    submitter.goto("/web/")
    submitter.locator(f"tr[data-nomination='{nomination_id}'] a").first.click()
    expect(submitter.locator("#return-reason")).to_contain_text(RETURN_REASON)
    submitter.locator("#file").set_input_files(
        {"name": "bien-ban-binh-xet.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% bien ban\n"}
    )
    submitter.get_by_label("Loại tài liệu").fill("bien_ban")
    submitter.get_by_role("button", name="Đính kèm tài liệu").click()
    expect(submitter.get_by_role("link", name="bien-ban-binh-xet.pdf")).to_be_visible()
    act(submitter, "resubmit", note="Đã bổ sung biên bản bình xét.")
    expect(submitter.locator("[data-state]")).to_have_text("Ban TĐKT đã tiếp nhận")

    officer.goto(nomination_url)
    act(officer, "start_appraisal")
    act(officer, "submit_for_signature")
    expect(officer.locator("[data-state]")).to_have_text("Chờ Chủ tịch UBND TP ký")

    approver = login("chutich")
    approver.goto(nomination_url)
    assert "decide" in offered(approver) and "forward" not in offered(approver)  # decided in the city
    act(approver, "decide", document_number="5400/QĐ-UBND")
    expect(approver.locator("[data-state]")).to_have_text("Đã quyết định khen thưởng")

    # The timeline tells the whole story: who, what, when, why.
    timeline = approver.locator("#timeline")
    for text in ("Lập hồ sơ đề nghị", "Trả lại, yêu cầu bổ sung", RETURN_REASON, "Nộp lại hồ sơ đã bổ sung",
                 "Ký quyết định khen thưởng", "5400/QĐ-UBND", "ban.tdkt", "chutich"):
        expect(timeline).to_contain_text(text)

    page.goto("/web/public?q=cao van duc")  # no accents: the search folds them
    decision = page.locator("section[data-decision='5400/QĐ-UBND']")
    expect(decision).to_contain_text("Cao Văn Đức")
    expect(decision).to_contain_text("Bằng khen của Chủ tịch UBND Thành phố")
