"""The pure document renderers: every document renders to a DOCX and a PDF that parse back with the
Vietnamese text intact (NFC), and rendering is deterministic (byte-identical across runs and
processes; different inputs give different bytes)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from service.documents import (
    TEMPLATE_VERSIONS,
    AchievementReport,
    AwardDecision,
    Awardee,
    BallotMinutes,
    CoverLetter,
    FontMissing,
    HonourLine,
    InitiativeLine,
    Issuer,
    Nominee,
    NomineeList,
    Signature,
    TallyLine,
    date_line,
    fonts,
    render,
    render_docx,
    render_pdf,
    template_of,
)

ROOT = Path(__file__).resolve().parents[2]
AWARD = "Chiến sĩ thi đua thành phố"
HA = "Nguyễn Thị Thu Hà"
BINH = "Trần Văn Bình"
DEPT = Issuer(parent=("UBND THÀNH PHỐ HÀ NỘI",), name=("SỞ GIÁO DỤC VÀ ĐÀO TẠO",))
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"

HA_NOMINEE = Nominee(
    HA, "individual", 1982, "Nữ", "Giáo viên môn Vật lý, Trường THPT Chu Văn An", "Sở Giáo dục và Đào tạo thành phố Hà Nội",
    "Sáng kiến đổi mới phương pháp dạy Vật lý được áp dụng toàn thành phố.",
)
BINH_NOMINEE = Nominee(BINH, "individual", 1979, "Nam", "Phó Trưởng phòng", "Sở Giáo dục và Đào tạo thành phố Hà Nội")


def cover_letter() -> CoverLetter:
    return CoverLetter(
        issuer=DEPT, date=date(2026, 11, 20), proposer="Sở Giáo dục và Đào tạo thành phố Hà Nội", award=AWARD, year=2026,
        nominees=(HA_NOMINEE, BINH_NOMINEE), signature=Signature(position="Thủ trưởng đơn vị", hint="(Ký, đóng dấu)"),
        legal_bases=(LAW, "Nghị định số 152/2025/NĐ-CP"),
    )


def achievement_report() -> AchievementReport:
    return AchievementReport(
        nominee=HA_NOMINEE, award=AWARD, year=2026, date=date(2026, 11, 20),
        achievements="Ba năm liền đạt danh hiệu Chiến sĩ thi đua cơ sở.\n\nSáng kiến được áp dụng toàn Thành phố.",
        honours=(
            HonourLine(2024, "Chiến sĩ thi đua cơ sở", "Quyết định số 12/QĐ-SGDĐT ngày 10/6/2024"),
            HonourLine(2025, "Bằng khen của Chủ tịch UBND Thành phố", category="commendation"),
            HonourLine(2025, "Hoàn thành xuất sắc nhiệm vụ", category="rating"),
        ),
        initiatives=(InitiativeLine(2025, "Ứng dụng mô phỏng số trong dạy thí nghiệm", "cấp thành phố"),),
    )


def collective_report() -> AchievementReport:
    return AchievementReport(
        nominee=Nominee("Sở Nội vụ thành phố Hà Nội", "collective"), award="Cờ thi đua của UBND Thành phố", year=2026,
        date=date(2026, 11, 20), achievements="", issuer=Issuer(parent=("UBND THÀNH PHỐ HÀ NỘI",), name=("SỞ NỘI VỤ",)),
    )


def nominee_list() -> NomineeList:
    return NomineeList(
        issuer=DEPT, date=date(2026, 11, 20), proposer="Sở Giáo dục và Đào tạo thành phố Hà Nội", award=AWARD, year=2026,
        nominees=(HA_NOMINEE, BINH_NOMINEE), signature=Signature(position="Thủ trưởng đơn vị"),
    )


def ballot_minutes() -> BallotMinutes:
    return BallotMinutes(
        issuer=Issuer(parent=("UBND THÀNH PHỐ HÀ NỘI",), name=("HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",)), ballot="council",
        date=date(2026, 11, 18), body="Hội đồng Thi đua - Khen thưởng thành phố Hà Nội", candidate=HA, award=AWARD, year=2026,
        tally=(TallyLine("Tổng số thành viên", "15"), TallyLine("Số phiếu đồng ý", "14")), passed=True, in_favour=14,
        base=("tổng số thành viên Hội đồng", 15), chair=Signature(position="Chủ tịch Hội đồng"), secretary=Signature(position="Thư ký"),
    )


def award_decision() -> AwardDecision:
    return AwardDecision(
        number="5120/QĐ-UBND", date=date(2026, 11, 20),
        awardees=(
            Awardee(HA, "individual", AWARD, HA_NOMINEE.workplace),
            Awardee(BINH, "individual", AWARD, BINH_NOMINEE.workplace),
        ),
        signature=Signature(position="Chủ tịch", name="Chủ tịch UBND Thành phố"), legal_bases=(LAW,), titles=(AWARD,), year=2026,
    )


DOCUMENTS = {
    "cover_letter": cover_letter,
    "achievement_report": achievement_report,
    "collective_report": collective_report,
    "nominee_list": nominee_list,
    "ballot_minutes": ballot_minutes,
    "award_decision": award_decision,
}

# Words each document must show, with their diacritics.
EXPECTED = {
    "cover_letter": [HA, BINH, "TỜ TRÌNH", AWARD, "Hà Nội, ngày 20 tháng 11 năm 2026", "Kính gửi", "Căn cứ Luật Thi đua, khen thưởng", "Nơi nhận"],
    "achievement_report": [HA, "BÁO CÁO THÀNH TÍCH", "CHIẾN SĨ THI ĐUA THÀNH PHỐ", "Chiến sĩ thi đua cơ sở", "Ứng dụng mô phỏng số", "Hoàn thành xuất sắc nhiệm vụ", "Hà Nội, ngày 20 tháng 11 năm 2026"],
    "collective_report": ["Sở Nội vụ thành phố Hà Nội", "SỞ NỘI VỤ", "ĐẶC ĐIỂM, TÌNH HÌNH", "Đơn vị bổ sung"],
    "nominee_list": [HA, BINH, "DANH SÁCH TRÍCH NGANG", "1982", "Nữ", AWARD, "Hà Nội"],
    "ballot_minutes": [HA, "TRÍCH BIÊN BẢN KIỂM PHIẾU", "14/15 (93,33%)", "Đạt", AWARD],
    "award_decision": [HA, BINH, "5120/QĐ-UBND", "QUYẾT ĐỊNH", "Quyết định", "Hà Nội", AWARD, "ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI", "Điều 1.", "Nơi nhận"],
}
COMMON = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def docx_text(data: bytes) -> str:
    """All text of a DOCX: paragraphs, and tables at any depth."""
    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []

    def walk(container) -> None:  # type: ignore[no-untyped-def]
        for paragraph in container.paragraphs:
            parts.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered() -> dict:
    return {name: render(make()) for name, make in DOCUMENTS.items()}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_docx_parses_back_with_the_vietnamese_text(rendered: dict, name: str) -> None:
    text = docx_text(rendered[name].docx)
    assert unicodedata.is_normalized("NFC", text)
    for word in EXPECTED[name] + COMMON:
        assert unicodedata.is_normalized("NFC", word)
        assert word in flat(text), f"{name}.docx lacks {word!r}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pdf_parses_back_with_the_vietnamese_text(rendered: dict, name: str) -> None:
    text = pdf_text(rendered[name].pdf)
    assert unicodedata.is_normalized("NFC", text)
    for word in EXPECTED[name] + COMMON:
        assert word in flat(text), f"{name}.pdf lacks {word!r}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_rendering_twice_gives_identical_bytes(rendered: dict, name: str) -> None:
    again = render(DOCUMENTS[name]())
    assert again.docx == rendered[name].docx
    assert again.pdf == rendered[name].pdf
    assert render_docx(DOCUMENTS[name]()) == rendered[name].docx
    assert render_pdf(DOCUMENTS[name]()) == rendered[name].pdf


_PROBE = """
import hashlib
from tests.unit.test_documents import award_decision
from service.documents import render
r = render(award_decision())
print(hashlib.sha256(r.docx).hexdigest(), hashlib.sha256(r.pdf).hexdigest())
"""


def test_another_process_renders_the_same_bytes(rendered: dict) -> None:
    """No per-process state (hash seed, time, ids) leaks into the files."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    docx_sha, pdf_sha = result.stdout.split()
    assert docx_sha == hashlib.sha256(rendered["award_decision"].docx).hexdigest()
    assert pdf_sha == hashlib.sha256(rendered["award_decision"].pdf).hexdigest()


@pytest.mark.parametrize(
    "name, change",
    [
        ("cover_letter", {"date": date(2026, 11, 21)}),
        ("cover_letter", {"nominees": (HA_NOMINEE,)}),
        ("achievement_report", {"achievements": "Thành tích khác."}),
        ("nominee_list", {"nominees": (BINH_NOMINEE, HA_NOMINEE)}),
        ("ballot_minutes", {"passed": False}),
        ("award_decision", {"number": "5121/QĐ-UBND"}),
        ("award_decision", {"signature": Signature(position="Chủ tịch", name="Người ký khác")}),
    ],
)
def test_different_inputs_give_different_bytes(rendered: dict, name: str, change: dict) -> None:
    other = render(dataclasses.replace(DOCUMENTS[name](), **change))
    assert other.docx != rendered[name].docx
    assert other.pdf != rendered[name].pdf


def test_decomposed_input_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Lê Thị Huyền Trâm")
    assert decomposed != "Lê Thị Huyền Trâm"
    doc = dataclasses.replace(award_decision(), awardees=(Awardee(decomposed, "individual", AWARD),))
    result = render(doc)
    for text in (docx_text(result.docx), pdf_text(result.pdf)):
        assert "Lê Thị Huyền Trâm" in flat(text)
        assert decomposed not in text


def test_docx_package_is_normalised(rendered: dict) -> None:
    data = rendered["award_decision"].docx
    package = zipfile.ZipFile(io.BytesIO(data))
    names = package.namelist()
    assert names[0] == "[Content_Types].xml"
    assert names[1:] == sorted(names[1:], key=lambda n: (n != "_rels/.rels", n))
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert not any("thumbnail" in n for n in names)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.created.replace(tzinfo=None) == datetime(2026, 11, 20)
    assert props.modified.replace(tzinfo=None) == datetime(2026, 11, 20)
    assert props.title == "Quyết định số 5120/QĐ-UBND"
    assert f"award_decision v{TEMPLATE_VERSIONS['award_decision']}" in props.keywords
    assert props.language == "vi-VN"


def test_docx_follows_decree_30_page_setup(rendered: dict) -> None:
    document = docx.Document(io.BytesIO(rendered["award_decision"].docx))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.right_margin.cm, 1) == 1.5
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer  # page numbers from page 2
    landscape = docx.Document(io.BytesIO(rendered["nominee_list"].docx)).sections[0]
    assert landscape.page_width > landscape.page_height


def test_pdf_embeds_a_vietnamese_truetype_font_and_fixed_metadata(rendered: dict) -> None:
    data = rendered["award_decision"].pdf
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Quyết định số 5120/QĐ-UBND"
    assert reader.metadata.creator == "tdkt"
    assert b"/CreationDate (D:20000101000000+00'00')" in data  # reportlab's invariant mode
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]))
    assert embedded, "no embedded TrueType font"
    assert all(re.search(r"\+(IBMPlexSerif|DejaVuSerif)", name) for name in embedded)
    assert len(reader.pages) == 2  # the decision, then its annex


def test_decision_annex_lists_every_awardee_under_its_number(rendered: dict) -> None:
    text = flat(pdf_text(rendered["award_decision"].pdf))
    annex = text[text.index("DANH SÁCH CÁ NHÂN"):]
    assert "(Kèm theo Quyết định số 5120/QĐ-UBND ngày 20/11/2026" in annex
    assert annex.index(HA) < annex.index(BINH)
    assert "Tặng danh hiệu “Chiến sĩ thi đua thành phố” cho 02 cá nhân" in text


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 2, 5), "Hà Nội, ngày 05 tháng 02 năm 2026"),
        (date(2026, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 20), "Hà Nội, ngày 20 tháng 11 năm 2026"),
        (date(2027, 1, 15), "Hà Nội, ngày 15 tháng 01 năm 2027"),
    ],
)
def test_place_and_date_line_per_decree_30(day: date, expected: str) -> None:
    assert date_line("Hà Nội", day) == expected


def test_each_template_has_a_version() -> None:
    assert set(TEMPLATE_VERSIONS) == {"cover_letter", "achievement_report", "nominee_list", "ballot_minutes", "award_decision"}
    assert template_of(award_decision()) == ("award_decision", TEMPLATE_VERSIONS["award_decision"])
    assert render(cover_letter()).template_version == TEMPLATE_VERSIONS["cover_letter"]


def test_inputs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        award_decision().number = "1/QĐ-UBND"  # type: ignore[misc]


def test_missing_font_fails_naming_the_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_plex", lambda: None)
    monkeypatch.setattr(fonts, "_dejavu", lambda: None)
    fonts.pdf_font.cache_clear()
    try:
        with pytest.raises(FontMissing) as caught:
            fonts.pdf_font()
        assert "fontpkg-ibm-plex-serif" in str(caught.value)
        assert "DejaVuSerif.ttf" in str(caught.value)
    finally:
        fonts.pdf_font.cache_clear()


def test_the_pinned_font_package_is_the_one_used() -> None:
    assert fonts.pdf_font().label.startswith("IBM Plex Serif")


def test_the_renderers_are_pure() -> None:
    """service/documents reads no database and no configuration: plain data in, bytes out."""
    import ast

    forbidden = {"sqlalchemy", "sqlmodel", "service.models", "service.db", "service.transitions", "config"}
    offending = []
    for path in sorted((ROOT / "service" / "documents").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offending += [f"{path.name}: {n}" for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)]
    assert offending == []
