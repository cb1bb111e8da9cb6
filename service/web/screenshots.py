"""Screenshots of the main pages over the Hà Nội demo ("ảnh chụp màn hình"):

    .venv/bin/python -m service.web.screenshots docs/screenshots

starts a server over a fresh demo database (service.web.live), drives Debian's chromium with
Playwright as the demo accounts, and writes one PNG per page into the given folder (replacing
what is there). Nothing is downloaded; the pages are the real ones."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from service.db import make_engine
from service.demo import DEMO_PASSWORD
from service.models import Nomination, User
from service.web.live import CHROMIUM, demo_server

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _first(db_url: str, **where: str) -> int:
    with Session(make_engine(db_url)) as s:
        query = select(Nomination.id).order_by(Nomination.id)
        for field, value in where.items():
            query = query.where(getattr(Nomination, field) == value)
        found = s.exec(query).first()
    if found is None:
        raise LookupError(f"the demo has no nomination with {where}")
    return found


def take(folder: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, demo_server(Path(tmp)) as base, sync_playwright() as p:
        db_url = f"sqlite:///{Path(tmp) / 'tdkt.db'}"
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])

        def as_user(username: str | None, viewport: dict[str, int] = LAPTOP, lang: str = "vi"):  # type: ignore[no-untyped-def]
            ctx = browser.new_context(base_url=base, viewport=viewport, locale="vi-VN")  # type: ignore[arg-type]
            page = ctx.new_page()
            if lang != "vi":
                page.goto(f"/web/public?lang={lang}")
            if username:
                page.goto("/web/login")
                page.fill("#username", username)
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/web/")
            return page

        def shot(name: str, page, path: str, ready: Callable | None = None, full: bool = True) -> None:  # type: ignore[no-untyped-def]
            page.goto(path)
            if ready:
                ready(page)
            out = folder / f"{name}.png"
            page.screenshot(path=str(out), full_page=full)
            written.append(out)

        returned = _first(db_url, state="returned")
        ineligible = _first(db_url, state="draft", award_code="CSTD_TP")
        awaiting = _first(db_url, state="awaiting_signature")
        at_council = _first(db_url, state="at_council")

        shot("01-login", as_user(None), "/web/login", full=False)
        board = as_user("ban.tdkt")
        shot("02-board-inbox", board, "/web/")
        shot("03-board-bulk-receive", board, "/web/nominations?state=submitted")
        submitter = as_user("cb.sogddt")
        shot("04-submitter-nominations", submitter, "/web/nominations")
        shot("05-draft-eligibility", as_user(_submitter_of(db_url, ineligible) or "ban.tdkt"), f"/web/nominations/{ineligible}")
        shot("06-new-draft", submitter, "/web/nominations/new")
        shot("07-returned-with-reason", as_user(_submitter_of(db_url, returned) or "ban.tdkt"), f"/web/nominations/{returned}")
        shot("08-approver-sign", as_user("chutich"), f"/web/nominations/{awaiting}")
        shot("09-cluster-year", as_user("cum7.truong"), "/web/clusters/1")
        shot("10-council-session", board, "/web/council/1")
        shot("11-public-decisions", as_user(None), "/web/public")
        shot("12-diagram", submitter, f"/web/diagrams/nomination?nomination={at_council}",
             ready=lambda pg: pg.wait_for_selector("#diagram svg"))
        shot("13-admin", as_user("admin"), "/web/admin")
        shot("14-phone-nomination", as_user("cb.sogddt", PHONE), f"/web/nominations/{at_council}")
        shot("15-english-home", as_user("cb.sogddt", lang="en"), "/web/")
        _issue_10(shot, as_user, board, submitter, db_url, Path(tmp))
        browser.close()
    return written


def _issue_10(shot, as_user, board, submitter, db_url: str, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """The pages of issue 10: statistics, what-if calendar, Excel import preview, certificate, titles."""
    from service.nominee_import import COLUMNS, SHEET, workbook_bytes
    from openpyxl import Workbook

    shot("16-statistics", board, "/web/statistics")

    def simulate(page) -> None:  # type: ignore[no-untyped-def]
        page.fill("#step_cluster_ballot", "2026-10-02")
        page.click("#what-if-form button")
        page.wait_for_selector("#forecast")

    shot("17-what-if-calendar", board, "/web/campaigns/1/what-if", ready=simulate)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([c.heading for c in COLUMNS])
    sheet.append([1, "P021", None, "Kiều Văn Nam", None, None, "DOT_XUAT", "DX-2026", 2026, "Cứu người trong đám cháy."])
    sheet.append([2, "P999", None, "Nguyễn Văn A", None, None, "DOT_XUAT", "DX-2026", "2O26", None])
    (tmp / "danh-sach-trich-ngang.xlsx").write_bytes(workbook_bytes(workbook))

    def preview(page) -> None:  # type: ignore[no-untyped-def]
        page.set_input_files("#file", str(tmp / "danh-sach-trich-ngang.xlsx"))
        page.click("#upload-import button")
        page.wait_for_selector("#preview")

    shot("18-import-preview", submitter, "/web/imports/nominees", ready=preview)
    awarded = _first(db_url, state="awarded")

    def issue(page) -> None:  # type: ignore[no-untyped-def]
        page.click("#issue-certificate button")
        page.wait_for_selector("#certificate-code")

    shot("19-certificate", board, f"/web/nominations/{awarded}", ready=issue)
    verify = board.locator("#certificate-verify").get_attribute("href")

    def forged(page) -> None:  # type: ignore[no-untyped-def]
        page.fill("#sha256", "0" * 64)
        page.click("#verify-form button")
        page.wait_for_selector("#verdict")

    shot("20-public-verification", as_user(None), verify, ready=forged)
    shot("21-title-history", board, "/web/titles?person_code=P003")


def _submitter_of(db_url: str, nomination_id: int) -> str | None:
    """The demo account of the nomination's unit officer, if the demo has one."""
    with Session(make_engine(db_url)) as s:
        unit = s.get(Nomination, nomination_id).proposing_unit_code  # type: ignore[union-attr]
        return s.exec(select(User.username).where(User.unit_code == unit, User.role == "submitter")).first()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    for path in take(target):
        print(path)
