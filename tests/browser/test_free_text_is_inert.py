"""Issue 9: HTML and script typed into any free-text field come back as inert text on every page
that shows them. Payloads go in through the real forms (achievements, action reasons, notes,
decision number and signer, file names and document kinds, an imported name, a title's revocation
reason, a review's resolution, a checked certificate's file name); each page that shows them must
render the payload as escaped text, with no injected element and no dialog fired in chromium."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import Page, expect

from service.nominee_import import COLUMNS, SHEET

MARK = "x55"
SCRIPT = f'<script>alert("{MARK}")</script>'
IMG = f'<img src=x onerror="alert(\'{MARK}\')">'
PAYLOAD = f"Thành tích {SCRIPT}{IMG}"
SHORT = f"<img src=x onerror=alert('{MARK}')>"  # fits a 40–60 character field


def check_inert(page: Page, url: str, *texts: str) -> None:
    """Open ``url``: no dialog, no element the payload could have made, the payload shown as text."""
    dialogs: list[str] = []

    def seen(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    page.goto(url)
    page.wait_for_load_state("load")
    injected = page.evaluate(f"""() => [
        ...document.querySelectorAll('img[onerror]'),
        ...[...document.querySelectorAll('script')].filter(s => s.textContent.includes('{MARK}')),
        ...[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))),
    ].length""")
    assert injected == 0, (url, injected)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, (url, text)
    page.remove_listener("dialog", seen)
    assert dialogs == [], (url, dialogs)


def nominee_list(full_name: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([c.heading for c in COLUMNS])
    row = {"no": 1, "person_code": "P022", "full_name": full_name, "award_code": "BK_TP", "campaign_code": "TK-2026",
           "year": 2026, "achievements": PAYLOAD}
    sheet.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def nomination_id(page: Page) -> int:
    return int(re.search(r"/web/nominations/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def act(page: Page, action: str, **fields: str) -> None:
    form = page.locator(f"form[data-action='{action}']")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    if form.locator("input[name=passed][value=yes]").count():
        form.locator("input[name=passed][value=yes]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash.ok")).to_be_visible()


def test_every_free_text_field_renders_inert(login: Callable[[str], Page], page: Page, tmp_path: Path) -> None:
    # A unit's officer: a draft with the payload as achievements, an attachment named with it, withdrawn with it as reason.
    unit = login("cb.soyt")
    unit.goto("/web/nominations/new")
    unit.select_option("#award_code", "BK_TP")
    unit.select_option("#campaign_code", "TK-2026")
    unit.select_option("#person_code", "P022")
    unit.fill("#achievements", PAYLOAD)
    unit.get_by_role("button", name="Tạo dự thảo").click()
    draft = nomination_id(unit)
    upload = tmp_path / f"{SHORT}.pdf"
    upload.write_bytes(b"%PDF-1.4\n%payload\n")
    unit.set_input_files("#file", str(upload))
    unit.fill("#document_kind", SHORT[:40])
    unit.get_by_role("button", name="Đính kèm tài liệu").click()
    expect(unit.locator(".flash.ok")).to_be_visible()
    unit.goto(f"/web/nominations/{draft}/edit")
    expect(unit.locator("#achievements")).to_have_value(PAYLOAD)  # in a textarea, as its text
    check_inert(unit, f"/web/nominations/{draft}", PAYLOAD, f"{SHORT}.pdf", SHORT[:40])
    # One of the unit's open nominations withdrawn with the payload as reason (the timeline shows it).
    unit.goto("/web/nominations?state=awaiting_unit_head")
    unit.locator("tbody tr[data-nomination] a").first.click()
    withdrawn = nomination_id(unit)
    act(unit, "withdraw", reason=PAYLOAD)
    check_inert(unit, f"/web/nominations/{withdrawn}", PAYLOAD)
    check_inert(unit, "/web/nominations")

    # The Board returns a nomination with the payload as reason: the nomination page and the statistics show it.
    board = login("ban.tdkt")
    board.goto("/web/nominations?state=in_appraisal")
    board.locator("tbody tr[data-nomination] a").first.click()
    returned = nomination_id(board)
    act(board, "return_for_completion", reason=PAYLOAD)
    check_inert(board, f"/web/nominations/{returned}", PAYLOAD)
    check_inert(board, "/web/statistics", PAYLOAD)
    # The approver decides an award with the payload as decision number and signer.
    approver = login("chutich")
    approver.goto("/web/nominations?state=awaiting_signature")
    approver.locator("tbody tr[data-nomination] a").first.click()
    decided = nomination_id(approver)
    act(approver, "decide", document_number=SHORT, signer=SHORT)
    check_inert(approver, f"/web/nominations/{decided}", SHORT)
    check_inert(page, "/web/public", SHORT)
    # Its certificate: the public page shows the decision number and signer; a checked file's name is shown too.
    board.goto(f"/web/nominations/{decided}")
    board.locator("#issue-certificate button").click()
    verify_url = board.locator("#certificate-verify").get_attribute("href")
    check_inert(page, verify_url, SHORT)  # type: ignore[arg-type]
    page.set_input_files("#file", str(upload))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#checked-file")).to_have_text(f"{SHORT}.pdf")
    assert page.evaluate("() => document.querySelectorAll('img[onerror]').length") == 0

    # A title revoked with the payload as reason, its review closed with the payload as resolution.
    board.goto("/web/titles?person_code=P002")  # Trần Văn Minh: his City Emulation Fighter nomination counted it
    row = board.locator("#titles tr[data-revoked='no']", has_text="CSTD_CS").filter(has_text="2025")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill(PAYLOAD)
    row.locator("input[name=document_number]").fill("99/QĐ-UBND")
    row.locator("input[name=signer]").fill(SHORT)
    row.get_by_role("button", name="Thu hồi danh hiệu").click()
    expect(board.locator(".flash.ok")).to_be_visible()
    check_inert(board, board.url, PAYLOAD)
    expect(board.locator("#opened a").first).to_be_visible()
    board.goto("/web/reviews?status=open")
    review = board.locator("section[data-review][data-status='open']").filter(has_text="99/QĐ-UBND").first
    review.locator("textarea[name=resolution]").fill(PAYLOAD)
    review.get_by_role("button", name="Đóng việc rà soát").click()
    check_inert(board, "/web/reviews?status=closed", PAYLOAD)

    # An imported list whose name cell and file name carry the payload: the preview shows both, inert.
    (tmp_path / f"{SHORT}.xlsx").write_bytes(nominee_list(PAYLOAD))
    unit.goto("/web/imports/nominees")
    unit.set_input_files("#file", str(tmp_path / f"{SHORT}.xlsx"))
    unit.get_by_role("button", name="Xem trước", exact=True).click()
    expect(unit.locator("#import-filename")).to_have_text(f"{SHORT}.xlsx")
    body = unit.locator("body").inner_text()
    assert PAYLOAD in body
    assert unit.evaluate("() => document.querySelectorAll('img[onerror]').length") == 0
