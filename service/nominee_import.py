"""Import of a unit's list of nominees ("danh sách trích ngang") from an .xlsx file into draft
nominations: a preview (dry run) row by row, then an apply that creates every row through the one
create function (:func:`service.nominations.create_nomination`) in one transaction, or nothing.

The template is docs/danh-sach-trich-ngang.xlsx (made by ``tdkt bulk template``); the first row
holds the column headings of :data:`COLUMNS`, data starts on row 2.

Problems are of two severities. **Errors** stop the apply: a cell that cannot be read (a bad date
or year), an unknown person or unit, anything the create function refuses (an award or campaign
that does not exist, a closed campaign, a nominee outside the unit, an open nomination for the
same award and year — a duplicate), the same nominee and award twice in the sheet. **Warnings** do
not: unmet eligibility conditions (a draft may be completed before submission, where the check
is enforced) and overlaps with the nominee's other nominations (service/overlaps.py).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from service.actors import Actor
from service.db import write_transaction
from service.eligibility import check_nomination
from service.errors import Forbidden, InvalidInput, ServiceError
from service.models import Person, Unit
from service.overlaps import flags_of
from workflow.errors import WorkflowError
from workflow.roles import Role

IMPORTERS = frozenset({Role.SUBMITTER, Role.UNIT_HEAD})
MAX_ROWS = 2000
SHEET = "Danh sách trích ngang"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool = False


COLUMNS = (
    Column("no", "STT"),
    Column("person_code", "Mã cá nhân"),
    Column("unit_code", "Mã tập thể"),
    Column("full_name", "Họ và tên / Tên tập thể", required=True),
    Column("birth_date", "Ngày sinh (dd/mm/yyyy)"),
    Column("position", "Chức vụ, đơn vị công tác"),
    Column("award_code", "Mã hình thức khen thưởng", required=True),
    Column("campaign_code", "Mã đợt thi đua", required=True),
    Column("year", "Năm thành tích", required=True),
    Column("achievements", "Tóm tắt thành tích"),
)


class MalformedSheet(InvalidInput):
    """The file is not a readable list of nominees (422), with the row and column at fault."""

    def __init__(self, message_vi: str, message_en: str, *, row: int | None = None, column: str | None = None) -> None:
        self.details = {"row": row, "column": column}
        super().__init__(message_vi, message_en)


@dataclass
class Problem:
    severity: str  # error | warning
    column: str | None  # heading of the column at fault, if one
    code: str
    message_vi: str
    message_en: str


@dataclass
class RowPlan:
    row: int  # spreadsheet row number
    nominee: str
    award_code: str
    campaign_code: str
    year: int | None
    problems: list[Problem] = field(default_factory=list)
    nomination_id: int | None = None  # set once created (apply)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    applied: bool = False

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows) and bool(self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "applied": self.applied, "rows_total": len(self.rows),
            "rows_with_errors": sum(not r.ok for r in self.rows),
            "rows": [{"row": r.row, "nominee": r.nominee, "award_code": r.award_code, "campaign_code": r.campaign_code,
                      "year": r.year, "action": ("create" if r.ok else "skip") if not self.applied else "created",
                      "nomination_id": r.nomination_id, "problems": [p.__dict__ for p in r.problems]} for r in self.rows],
        }


def _fold(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split()).casefold()


def read_sheet(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The data rows as (row number, {column key: cell value}); a structural fault is 422."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise MalformedSheet("Tệp không phải bảng tính Excel .xlsx đọc được.", f"The file is not a readable .xlsx workbook ({type(exc).__name__}).") from None
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise MalformedSheet("Bảng tính trống: thiếu dòng tiêu đề.", "The sheet is empty: the heading row is missing.", row=1, column="A")
    by_heading = {_fold(c.heading): c for c in COLUMNS}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is None or str(cell).strip() == "":
            continue
        column = by_heading.get(_fold(cell))
        letter = get_column_letter(index + 1)
        if column is None:
            raise MalformedSheet(f"Ô {letter}1: tiêu đề «{cell}» không có trong mẫu danh sách trích ngang.",
                                 f"Cell {letter}1: heading {cell!r} is not a column of the template.", row=1, column=letter)
        if column.key in positions:
            raise MalformedSheet(f"Ô {letter}1: cột «{cell}» lặp lại.", f"Cell {letter}1: column {cell!r} appears twice.", row=1, column=letter)
        positions[column.key] = index
    missing = [c.heading for c in COLUMNS if c.required and c.key not in positions]
    if missing or ("person_code" not in positions and "unit_code" not in positions):
        missing = missing or ["Mã cá nhân / Mã tập thể"]
        raise MalformedSheet(f"Dòng tiêu đề thiếu cột: {', '.join(missing)}.", f"The heading row lacks the columns: {', '.join(missing)}.",
                             row=1, column=None)
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out) >= MAX_ROWS:
            raise MalformedSheet(f"Danh sách quá dài: tối đa {MAX_ROWS} dòng mỗi lần nhập.", f"Too many rows: {MAX_ROWS} at most per import.",
                                 row=number, column=None)
        out.append((number, {key: values[i] if i < len(values) else None for key, i in positions.items()}))
    workbook.close()
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if "\x00" in text:
        raise ValueError("NUL")
    return text or None


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


def _year(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    year = int(str(value).strip())
    if not 1990 <= year <= 2100:
        raise ValueError(year)
    return year


def _error(column: str | None, code: str, vi: str, en: str) -> Problem:
    return Problem("error", column, code, vi, en)


def _heading(key: str) -> str:
    return next(c.heading for c in COLUMNS if c.key == key)


def _cells(session: Session, number: int, cells: dict[str, Any]) -> tuple[RowPlan, dict[str, Any]]:
    """Read one row's cells; the problems a cell alone shows (and the keyword arguments to create)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key in ("person_code", "unit_code", "full_name", "award_code", "campaign_code", "achievements", "position"):
        try:
            values[key] = _text(cells.get(key))
        except ValueError:
            problems.append(_error(_heading(key), "bad_text", "Ô chứa ký tự NUL.", "The cell holds a NUL character."))
            values[key] = None
    year = None
    try:
        year = _year(cells.get("year"))
    except (TypeError, ValueError):
        problems.append(_error(_heading("year"), "bad_year", f"Năm thành tích «{cells.get('year')}» không hợp lệ (1990–2100).",
                               f"Achievement year {cells.get('year')!r} is not a year between 1990 and 2100."))
    birth = None
    try:
        birth = _date(cells.get("birth_date"))
    except (TypeError, ValueError):
        problems.append(_error(_heading("birth_date"), "bad_date", f"Ngày sinh «{cells.get('birth_date')}» không đúng dạng dd/mm/yyyy.",
                               f"Birth date {cells.get('birth_date')!r} is not a dd/mm/yyyy date."))
    plan = RowPlan(number, values["full_name"] or "", values["award_code"] or "", values["campaign_code"] or "", year, problems)
    for key in ("full_name", "award_code", "campaign_code"):
        if not values[key]:
            problems.append(_error(_heading(key), "missing", "Ô bắt buộc còn trống.", "A required cell is empty."))
    person_code, unit_code = values["person_code"], values["unit_code"]
    if (person_code is None) == (unit_code is None):
        problems.append(_error(_heading("person_code"), "one_nominee", "Ghi đúng một trong hai: mã cá nhân hoặc mã tập thể.",
                               "Fill exactly one of: person code or collective (unit) code."))
    elif person_code is not None:
        person = session.exec(select(Person).where(Person.code == person_code)).first()
        if person is None:
            problems.append(_error(_heading("person_code"), "unknown_person", f"Không có cá nhân mã «{person_code}».",
                                   f"There is no person {person_code!r}."))
        else:
            if values["full_name"] and _fold(values["full_name"]) != _fold(person.full_name):
                problems.append(_error(_heading("full_name"), "name_mismatch",
                                       f"Họ tên «{values['full_name']}» không khớp với hồ sơ cá nhân {person_code} («{person.full_name}»).",
                                       f"Name {values['full_name']!r} does not match person {person_code} ({person.full_name!r})."))
            if birth is not None and person.birth_year is not None and birth.year != person.birth_year:
                problems.append(_error(_heading("birth_date"), "birth_mismatch",
                                       f"Năm sinh {birth.year} không khớp với hồ sơ cá nhân {person_code} ({person.birth_year}).",
                                       f"Birth year {birth.year} does not match person {person_code} ({person.birth_year})."))
    elif session.get(Unit, unit_code) is None:
        problems.append(_error(_heading("unit_code"), "unknown_unit", f"Không có đơn vị mã «{unit_code}».", f"There is no unit {unit_code!r}."))
    create = {"award_code": values["award_code"], "campaign_code": values["campaign_code"], "year": year,
              "person_code": person_code, "nominee_unit_code": unit_code if person_code is None else None,
              "achievements": values["achievements"] or ""}
    return plan, create


class _Undo(Exception):
    """Raised to roll the trial back (a preview, or an apply with errors)."""


def run_import(session: Session, data: bytes, *, actor: Actor, apply: bool) -> ImportPlan:
    """Preview (``apply=False``) or apply the list. Both create every row in one transaction with
    the one create function; the preview, or an apply with any error, rolls it all back."""
    if actor.role not in IMPORTERS or actor.unit_code is None:
        raise Forbidden("Chỉ cán bộ TĐKT hoặc thủ trưởng đơn vị được nhập danh sách trích ngang của đơn vị.",
                        "Only a unit's emulation officer or head may import its list of nominees.")
    from service.nominations import DuplicateNomination, create_nomination

    rows = read_sheet(data)
    if not rows:
        raise MalformedSheet("Danh sách không có dòng nào (dữ liệu bắt đầu từ dòng 2).", "The list has no rows (data starts on row 2).", row=2, column="A")
    plan = ImportPlan([])
    seen: dict[tuple, int] = {}
    try:
        with write_transaction(session):
            for number, cells in rows:
                row, create = _cells(session, number, cells)
                plan.rows.append(row)
                key = (create["person_code"] or create["nominee_unit_code"], create["award_code"], create["year"])
                if key in seen:
                    row.problems.append(_error(None, "duplicate_in_sheet", f"Trùng với dòng {seen[key]} (cùng đối tượng, hình thức, năm).",
                                               f"Same nominee, award and year as row {seen[key]}."))
                seen.setdefault(key, number)
                if not row.ok:
                    continue
                try:
                    nomination = create_nomination(session, actor=actor, **create)
                except (ServiceError, WorkflowError) as exc:
                    code = "duplicate" if isinstance(exc, DuplicateNomination) else "refused"
                    row.problems.append(_error(None, code, exc.message_vi, exc.message_en))
                    continue
                row.nomination_id = nomination.id
                result = check_nomination(session, nomination)
                for finding in result.unmet:
                    row.problems.append(Problem("warning", None, "not_eligible", finding.message_vi, finding.message_en))
                for flag in flags_of(session, nomination):
                    row.problems.append(Problem("warning", None, flag.kind, flag.message_vi, flag.message_en))
            if not apply or not plan.ok:
                raise _Undo
    except _Undo:
        for row in plan.rows:
            row.nomination_id = None
        return plan
    plan.applied = True
    return plan


def template() -> bytes:
    """The empty template with one example row (a person of the demo), for docs/."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([c.heading for c in COLUMNS])
    sheet.append([1, "P001", None, "Nguyễn Thị Thu Hà", "12/03/1982", "Giáo viên môn Vật lý, Trường THPT Chu Văn An",
                  "BK_TP", "TK-2026", 2026, "Hoàn thành xuất sắc nhiệm vụ năm học 2025–2026."])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(column.heading) + 4)
    return workbook_bytes(workbook)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as bytes, the same bytes for the same content: fixed document properties and
    fixed zip entry times. (``Workbook.save`` would stamp "now" into the modified date, and the zip
    writer stamps each entry with the current time, so two downloads a second apart differed.)"""
    from openpyxl.writer.excel import ExcelWriter

    fixed = datetime(2026, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "tdkt"
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stable = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stable.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stable, source.read(entry.filename))
    return out.getvalue()
