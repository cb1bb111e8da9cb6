"""The pages of issue 10 in a real browser: overlap flags and the certificate on a nomination
page, the public verification page (a real file matches, a forged hash does not, in Vietnamese
and English), the Excel import's preview and confirmation, the .xlsx exports, the statistics page
with its charts, the what-if calendar, and the Board's title revocation with its review task."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from service.nominee_import import COLUMNS, SHEET



def nominee_list(*rows: dict[str, object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([c.heading for c in COLUMNS])
    for number, row in enumerate(rows, start=1):
        sheet.append([number if c.key == "no" else row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(page: Page, locator: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.locator(locator).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_overlap_flags_link_to_the_other_nomination(login: Callable[[str], Page]) -> None:
    """A new City Emulation Fighter draft for Kiều Văn Nam, who already has a live Certificate of
    Merit of the same year (same level: both decided by the city's Chairman)."""
    submitter = login("cb.sogddt")
    submitter.goto("/web/nominations/new")
    submitter.select_option("#award_code", "CSTD_TP")
    submitter.select_option("#campaign_code", "TK-2026")
    submitter.select_option("#person_code", "P021")
    submitter.get_by_role("button", name="Tạo dự thảo").click()
    draft = submitter.url.split("/web/nominations/")[1].split("?")[0]
    flags = submitter.locator("#overlaps li[data-flag='same_level_same_year']")
    expect(flags.first).to_be_visible()
    other = flags.first.get_attribute("data-other")
    flags.first.get_by_role("link", name=f"#{other}").click()
    expect(submitter.locator("h1")).to_contain_text(f"#{other}")
    expect(submitter.locator(f"#overlaps li[data-other='{draft}']")).to_be_visible()  # the other one points back


def test_certificate_issued_downloaded_and_verified_publicly(login: Callable[[str], Page], page: Page, tmp_path: Path) -> None:
    board = login("ban.tdkt")
    board.goto("/web/nominations?state=awarded")
    board.locator("tbody tr[data-nomination] a").first.click()
    if board.locator("#issue-certificate").count():
        board.locator("#issue-certificate button").click()
    expect(board.locator("#certificate-code")).to_be_visible()
    assert board.locator("#certificate img").get_attribute("src").startswith("data:image/svg+xml;base64,")
    pdf = download(board, "#certificate-pdf", tmp_path)
    assert pdf.startswith(b"%PDF")
    annex = load_workbook(io.BytesIO(download(board, "#annex-xlsx", tmp_path)))
    assert annex.active.max_row >= 2  # heading + the awardees of the decision
    verify_url = board.locator("#certificate-verify").get_attribute("href")

    # Anyone, not signed in: the decision entry, then the real file matches …
    page.goto(verify_url)
    expect(page.locator("#entry")).to_contain_text("Còn hiệu lực")
    (tmp_path / "bang-khen.pdf").write_bytes(pdf)
    page.set_input_files("#file", str(tmp_path / "bang-khen.pdf"))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-matches", "yes")
    expect(page.locator("#verdict")).to_contain_text("Khớp")
    # … its hash pasted matches too, and a forged hash or altered file does not (Vietnamese, then English).
    page.fill("#sha256", hashlib.sha256(pdf).hexdigest())
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-matches", "yes")
    forged = hashlib.sha256(pdf + b"%tampered").hexdigest()
    page.fill("#sha256", forged)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-matches", "no")
    expect(page.locator("#verdict")).to_contain_text("Không khớp")
    page.goto(verify_url + "?lang=en")
    page.fill("#sha256", forged)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text("Does not match")
    (tmp_path / "sua.pdf").write_bytes(pdf.replace(b"Chu", b"Chx", 1) if b"Chu" in pdf else pdf + b"\n")
    page.set_input_files("#file", str(tmp_path / "sua.pdf"))
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-matches", "no")
    page.goto("/web/public/certificates/not-a-real-code?lang=vi")
    expect(page.locator(".flash.err")).to_contain_text("Không có bằng/giấy chứng nhận nào mang mã xác thực này")


def test_excel_import_previews_every_problem_then_creates_the_drafts(login: Callable[[str], Page], tmp_path: Path) -> None:
    submitter = login("cb.sogddt")
    submitter.goto("/web/nominations")
    submitter.get_by_role("link", name="Nhập danh sách trích ngang (.xlsx)").click()
    # A file that is no workbook: a clear error, nothing written.
    (tmp_path / "hong.xlsx").write_bytes(b"not a spreadsheet")
    submitter.set_input_files("#file", str(tmp_path / "hong.xlsx"))
    submitter.get_by_role("button", name="Xem trước", exact=True).click()
    expect(submitter.locator(".flash.err")).to_contain_text("không phải bảng tính Excel")
    expect(submitter.locator("#nothing-written")).to_be_visible()
    # A list with a bad row: every problem shown, no confirm button.
    good = {"person_code": "P021", "full_name": "Kiều Văn Nam", "award_code": "DOT_XUAT", "campaign_code": "DX-2026", "year": 2026,
            "achievements": "Cứu người trong đám cháy khu tập thể."}
    bad = {"person_code": "P999", "full_name": "Không Có Thật", "award_code": "DOT_XUAT", "campaign_code": "DX-2026", "year": "năm ngoái"}
    (tmp_path / "loi.xlsx").write_bytes(nominee_list(good, bad))
    submitter.set_input_files("#file", str(tmp_path / "loi.xlsx"))
    submitter.get_by_role("button", name="Xem trước", exact=True).click()
    expect(submitter.locator("#preview")).to_have_attribute("data-ok", "no")
    expect(submitter.locator("tr[data-row='3'] li[data-code='unknown_person']")).to_be_visible()
    expect(submitter.locator("tr[data-row='3'] li[data-code='bad_year']")).to_be_visible()
    expect(submitter.locator("tr[data-row='2']")).to_have_attribute("data-action", "create")
    expect(submitter.locator("#confirm-import")).to_have_count(0)
    # The corrected list: preview, then confirm creates the draft.
    (tmp_path / "dung.xlsx").write_bytes(nominee_list(good))
    submitter.set_input_files("#file", str(tmp_path / "dung.xlsx"))
    submitter.get_by_role("button", name="Xem trước", exact=True).click()
    expect(submitter.locator("#preview")).to_have_attribute("data-ok", "yes")
    expect(submitter.locator("#import-filename")).to_have_text("dung.xlsx")
    submitter.locator("#confirm-import button").click()
    expect(submitter.locator("#preview")).to_have_attribute("data-applied", "yes")
    submitter.locator("tr[data-row='2'] a").click()
    expect(submitter.locator("[data-state]")).to_have_text("Dự thảo")
    expect(submitter.locator("dl.facts")).to_contain_text("Cứu người trong đám cháy")


def test_nominations_list_exports_what_it_shows(login: Callable[[str], Page], tmp_path: Path) -> None:
    submitter = login("cb.soyt")
    submitter.goto("/web/nominations")
    shown = submitter.locator("tbody tr[data-nomination]").count()
    sheet = load_workbook(io.BytesIO(download(submitter, "#nominations-xlsx", tmp_path))).active
    assert sheet.max_row - 1 == shown and {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        int(i) for i in submitter.locator("tbody tr[data-nomination]").evaluate_all("rs => rs.map(r => r.dataset.nomination)")}


def test_statistics_page_charts_shares_and_export(login: Callable[[str], Page], tmp_path: Path) -> None:
    board = login("ban.tdkt")
    board.get_by_role("link", name="Thống kê").click()
    expect(board.locator("svg#chart-awards g[data-label]").first).to_be_visible()
    expect(board.locator("#shares [data-share='front_line_individuals']")).to_contain_text("Chỉ tiêu 50.0 %")
    assert board.locator("svg#chart-front_line_individuals line.target").count() == 1
    board.select_option("#campaign_id", label="DX-2026 — Khen thưởng đột xuất năm 2026")
    board.get_by_role("button", name="Lọc").click()
    assert "campaign_id=2" in board.url
    workbook = load_workbook(io.BytesIO(download(board, "#statistics-xlsx", tmp_path)))
    assert workbook.sheetnames[:4] == ["Số lượng", "Thời gian xử lý", "Trả lại", "Tỷ lệ"]
    counted = sum(r[2] for r in workbook["Số lượng"].iter_rows(min_row=2, values_only=True))
    assert f"({counted} " in board.locator("h1").inner_text()  # the page and the workbook count the same nominations


def test_what_if_calendar_shows_misses_and_accepts_a_plan(login: Callable[[str], Page]) -> None:
    board = login("ban.tdkt")
    board.get_by_role("link", name="Đợt thi đua").click()
    board.locator("tr[data-campaign='1'] a").click()  # TK-2026, with its cluster ballots
    board.fill("#step_cluster_ballot", "2026-10-02")  # two days after opening: the cluster ballots cannot finish
    board.get_by_role("button", name="Chạy mô phỏng").click()
    forecast = board.locator("#forecast")
    assert int(forecast.get_attribute("data-routes-missing") or 0) > 0
    expect(board.locator("#steps-missing")).to_contain_text("cluster_ballot")
    expect(board.locator("#clusters-missing")).to_contain_text("CUM_")
    board.locator("#accept-plan button").click()  # refused without accepting the misses
    expect(board.locator(".flash.err[role=alert]")).to_contain_text("không kịp hạn")
    board.fill("#step_cluster_ballot", "2027-01-10")
    board.get_by_role("button", name="Chạy mô phỏng").click()
    if board.locator("#accept-plan input[name=accept_misses]").count():
        board.locator("#accept-plan input[name=accept_misses]").check()
    board.locator("#accept-plan button").click()
    expect(board.locator(".flash.ok")).to_contain_text("Đã đặt lịch")
    expect(board.locator("#step_cluster_ballot")).to_have_value("2027-01-10")
    assert login("cb.soyt").goto("/web/campaigns/1/what-if").status == 403


def test_revoking_a_title_opens_a_review_the_board_closes(login: Callable[[str], Page]) -> None:
    board = login("ban.tdkt")
    board.goto("/web/titles?person_code=P003")
    row = board.locator("#titles tr[data-revoked='no']", has_text="CSTD_CS").filter(has_text="2025")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("Kê khai sai sáng kiến năm 2025.")
    row.locator("input[name=document_number]").fill("88/QĐ-UBND")
    row.get_by_role("button", name="Thu hồi danh hiệu").click()
    expect(board.locator(".flash.ok")).to_contain_text("Đã ghi nhận thu hồi")
    expect(board.locator("#titles tr[data-revoked='yes']")).to_contain_text("88/QĐ-UBND")
    board.locator("#opened a").first.click()
    review = board.locator("section[data-review][data-status='open']").filter(has_text="88/QĐ-UBND")
    expect(review).to_contain_text("Điều kiện không còn đáp ứng")
    review.locator("textarea[name=resolution]").fill("Trình Chủ tịch thu hồi danh hiệu CSTĐ TP.")
    review.get_by_role("button", name="Đóng việc rà soát").click()
    expect(board.locator(".flash.ok")).to_contain_text("Đã đóng việc rà soát")
    expect(board.locator("section[data-status='closed']").filter(has_text="88/QĐ-UBND")).to_contain_text("Trình Chủ tịch thu hồi")
    council = login("hd.thanhvien")  # a council member reads the reviews but has no close form
    council.goto("/web/reviews?status=closed")
    expect(council.locator("section[data-review]").first).to_be_visible()
    expect(council.locator("form[data-close-review]")).to_have_count(0)


def test_revoking_a_decided_award_shows_on_its_public_certificate(login: Callable[[str], Page], page: Page) -> None:
    board = login("ban.tdkt")
    board.goto("/web/nominations?state=awarded")
    board.locator("tbody tr[data-nomination] a").first.click()
    awarded = board.url
    if board.locator("#issue-certificate").count():
        board.locator("#issue-certificate button").click()
    verify_url = board.locator("#certificate-verify").get_attribute("href")
    assert board.locator("form[data-action='revoke']").count() == 0  # the Board records reviews; the approver revokes
    approver = login("chutich")
    approver.goto(awarded)
    form = approver.locator("form[data-action='revoke']")
    form.locator("textarea[name=reason]").fill("Kê khai sai thành tích (phát hiện qua thanh tra).")
    form.locator("input[name=document_number]").fill("5977/QĐ-UBND")
    form.locator("button[type=submit]").click()
    assert approver.locator(".flash.err").count() == 0, approver.locator(".flash.err").inner_text()
    expect(approver.locator("[data-state]")).to_have_text("Đã hủy bỏ quyết định khen thưởng")
    page.goto(verify_url)  # type: ignore[arg-type]
    expect(page.locator("#entry")).to_have_attribute("data-status", "revoked")
    expect(page.locator("#entry")).to_contain_text("5977/QĐ-UBND")
    expect(page.locator("#entry")).to_contain_text("Đã bị thu hồi")
