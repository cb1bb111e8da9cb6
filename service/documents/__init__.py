"""Pure renderers of the dossier and decision documents: plain frozen dataclasses in, bytes out.

No database here. Each document is laid out once (:mod:`.layout`) per Vietnamese administrative
conventions (Decree 30/2020/NĐ-CP) and written as an editable DOCX and as a PDF with an embedded
Vietnamese font. Rendering is deterministic: the same input and template version give the same
bytes (see :mod:`.docx_writer` and :mod:`.pdf_writer`). Each template module has its own
``TEMPLATE_VERSION``: bump it whenever a change to that template (or to the shared layout) changes
its output.

    rendered = render(CoverLetter(...))
    rendered.docx, rendered.pdf, rendered.template_version
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from service.documents import (
    achievement_report,
    award_decision,
    ballot_minutes,
    cover_letter,
    nominee_list,
)
from service.documents.achievement_report import AchievementReport
from service.documents.award_decision import AwardDecision
from service.documents.ballot_minutes import BallotMinutes
from service.documents.cover_letter import CoverLetter
from service.documents.docx_writer import CONTENT_TYPE as DOCX_CONTENT_TYPE
from service.documents.docx_writer import to_docx
from service.documents.fonts import FontMissing, pdf_font
from service.documents.layout import (
    HANOI_PEOPLES_COMMITTEE,
    Issuer,
    Layout,
    Signature,
    date_line,
)
from service.documents.model import (
    Awardee,
    HonourLine,
    InitiativeLine,
    Nominee,
    TallyLine,
)
from service.documents.nominee_list import NomineeList
from service.documents.pdf_writer import CONTENT_TYPE as PDF_CONTENT_TYPE
from service.documents.pdf_writer import to_pdf

Renderable = CoverLetter | AchievementReport | NomineeList | BallotMinutes | AwardDecision

_TEMPLATES: dict[type, ModuleType] = {
    CoverLetter: cover_letter,
    AchievementReport: achievement_report,
    NomineeList: nominee_list,
    BallotMinutes: ballot_minutes,
    AwardDecision: award_decision,
}

TEMPLATE_VERSIONS: dict[str, str] = {module.TEMPLATE: module.TEMPLATE_VERSION for module in _TEMPLATES.values()}


@dataclass(frozen=True)
class Rendered:
    docx: bytes
    pdf: bytes
    template: str  # "cover_letter"
    template_version: str  # that template's TEMPLATE_VERSION
    pdf_font: str  # the face embedded in the PDF (the PDF's bytes depend on it)


def _module(doc: Renderable) -> ModuleType:
    try:
        return _TEMPLATES[type(doc)]
    except KeyError:
        raise TypeError(f"no template renders {type(doc).__name__}") from None


def layout_of(doc: Renderable) -> Layout:
    return _module(doc).layout(doc)


def template_of(doc: Renderable) -> tuple[str, str]:
    """(template name, TEMPLATE_VERSION) for a document input."""
    module = _module(doc)
    return module.TEMPLATE, module.TEMPLATE_VERSION


def render_docx(doc: Renderable) -> bytes:
    return to_docx(layout_of(doc))


def render_pdf(doc: Renderable) -> bytes:
    return to_pdf(layout_of(doc))


def render(doc: Renderable) -> Rendered:
    """Both files of one document, laid out once."""
    page = layout_of(doc)
    name, version = template_of(doc)
    return Rendered(docx=to_docx(page), pdf=to_pdf(page), template=name, template_version=version, pdf_font=pdf_font().label)


__all__ = [
    "DOCX_CONTENT_TYPE",
    "HANOI_PEOPLES_COMMITTEE",
    "PDF_CONTENT_TYPE",
    "TEMPLATE_VERSIONS",
    "AchievementReport",
    "AwardDecision",
    "Awardee",
    "BallotMinutes",
    "CoverLetter",
    "FontMissing",
    "HonourLine",
    "InitiativeLine",
    "Issuer",
    "Nominee",
    "NomineeList",
    "Renderable",
    "Rendered",
    "Signature",
    "TallyLine",
    "date_line",
    "layout_of",
    "render",
    "render_docx",
    "render_pdf",
    "template_of",
]
