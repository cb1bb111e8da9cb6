"""Workload 5: documents per second (DOCX and PDF) for a one-page cover letter (certificate
sized) and a ~10-page achievement report (a dossier's bulk); byte-identical across runs."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import date

from bench.common import Figure, Result
from service.documents import (
    AchievementReport,
    CoverLetter,
    HonourLine,
    InitiativeLine,
    Issuer,
    Nominee,
    Signature,
    layout_of,
    to_docx,
    to_pdf,
)

AWARD = "Bằng khen của Chủ tịch UBND Thành phố"
NOMINEE = Nominee(
    "Nguyễn Thị Thu Hà", "individual", 1982, "Nữ", "Giáo viên môn Vật lý, Trường THPT Chu Văn An",
    "Sở Giáo dục và Đào tạo thành phố Hà Nội", "Sáng kiến đổi mới phương pháp dạy Vật lý được áp dụng toàn thành phố.",
)
PARAGRAPH = (
    "Trong năm, đồng chí đã hoàn thành xuất sắc nhiệm vụ được giao, chủ trì xây dựng và triển khai các chuyên đề "
    "đổi mới phương pháp dạy học, ứng dụng công nghệ số trong giảng dạy; hướng dẫn học sinh đạt nhiều giải cao "
    "trong các kỳ thi học sinh giỏi cấp thành phố và quốc gia; tích cực tham gia các phong trào thi đua do ngành "
    "và Thành phố phát động."
)


def certificate() -> CoverLetter:
    """A one-page document: the cover letter for one nominee (the award decision with its annex
    is two pages even for one awardee)."""
    return CoverLetter(
        issuer=Issuer(parent=("UBND THÀNH PHỐ HÀ NỘI",), name=("SỞ GIÁO DỤC VÀ ĐÀO TẠO",)), date=date(2026, 11, 20),
        proposer="Sở Giáo dục và Đào tạo thành phố Hà Nội", award=AWARD, year=2026, nominees=(NOMINEE,),
        signature=Signature(position="Thủ trưởng đơn vị", hint="(Ký, đóng dấu)"),
        legal_bases=("Luật Thi đua, khen thưởng số 06/2022/QH15",),
    )


def dossier(paragraphs: int) -> AchievementReport:
    return AchievementReport(
        nominee=NOMINEE, award=AWARD, year=2026, date=date(2026, 11, 20),
        achievements="\n\n".join(f"{i + 1}. {PARAGRAPH}" for i in range(paragraphs)),
        honours=tuple(HonourLine(2010 + i, "Chiến sĩ thi đua cơ sở", f"Quyết định số {i + 10}/QĐ-SGDĐT") for i in range(16)),
        initiatives=tuple(InitiativeLine(2016 + i, f"Sáng kiến số {i + 1} về đổi mới dạy học", "cấp thành phố") for i in range(10)),
    )


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def dossier_of_pages(target: int) -> tuple[AchievementReport, int]:
    """The achievement report grown paragraph by paragraph until its PDF has ``target`` pages."""
    paragraphs = max(1, target * 6)
    while True:
        doc = dossier(paragraphs)
        count = pages(to_pdf(layout_of(doc)))
        if count >= target:
            return doc, count
        paragraphs += max(1, (target - count) * 5)


def per_second(render, repeats: int, budget_s: float = 3.0) -> tuple[list[float], set[str]]:  # type: ignore[no-untyped-def]
    """``repeats`` runs; each renders for ~budget_s (at least twice) and gives documents/s."""
    runs, digests = [], set()
    for _ in range(repeats):
        count, start = 0, time.perf_counter()
        while count < 2 or time.perf_counter() - start < budget_s:
            digests.add(hashlib.sha256(render()).hexdigest())
            count += 1
        runs.append(count / (time.perf_counter() - start))
    return runs, digests


def run(size: dict, database: str) -> Result:
    result = Result()
    budget = 0.3 if size["repeats"] <= 2 else 3.0
    big, big_pages = dossier_of_pages(size["doc_dossier_pages"])
    small = certificate()
    small_pages = pages(to_pdf(layout_of(small)))
    for label, doc, n_pages in (("one-page cover letter", small, small_pages), (f"{big_pages}-page achievement report", big, big_pages)):
        for fmt, writer in (("DOCX", to_docx), ("PDF", to_pdf)):
            runs, digests = per_second(lambda: writer(layout_of(doc)), size["doc_repeats"], budget)
            result.figures.append(Figure("5 documents", f"{fmt}, {label} (layout + write)", "—", "documents/s", runs,
                                         note=f"{n_pages} page(s); {len(digests)} distinct output(s) across runs"))
            result.checks[f"{fmt} {label}: byte-identical across runs"] = len(digests) == 1
    result.checks["one-page cover letter fits one page"] = small_pages == 1
    result.checks[f"dossier reaches {size['doc_dossier_pages']} pages"] = big_pages >= size["doc_dossier_pages"]
    return result
