"""Dossier and decision assembly ("lập hồ sơ, dự thảo quyết định"): render the documents, store
them, and put each file's SHA-256 in the audit trail.

:func:`assemble_dossier` renders, for one nomination, every document its award requires that the
engine can produce (cover letter, achievement report, ballot minutes where a tally was recorded)
plus the list of nominees, as DOCX and PDF; :func:`assemble_decision` renders an award decision
with its annex of awardees. Both run in one write transaction: the documents are stored as
:class:`~service.models.Document` rows and the nomination's audit trail gets an entry listing
each file's kind, name and SHA-256 (and the template versions), so a stored file can be checked
against the trail at any time.

Rendering is deterministic and dated from the records, never from the clock: the cover letter,
report and list carry the date the proposal was filed (the unit head's endorsement, the cluster's
ballot or the resubmission: the latest of them), minutes the date of their ballot, a decision the
day it was signed; audit times are turned into dates in the configured zone (Asia/Ho_Chi_Minh).
So re-running an assembly with unchanged inputs renders the same bytes, finds them already
recorded, and changes nothing. Documents the engine cannot write (the unit's own review minutes,
the cluster score table, initiative certificates) come in as attachments.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from config.catalogue import RuleSet
from config.settings import get_settings
from service import audit
from service.actors import Actor
from service.db import write_transaction
from service.documents import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    AchievementReport,
    AwardDecision,
    Awardee,
    BallotMinutes,
    CoverLetter,
    HonourLine,
    InitiativeLine,
    Issuer,
    Nominee,
    NomineeList,
    Renderable,
    Rendered,
    Signature,
    TallyLine,
    render,
)
from service.documents.layout import short_date
from service.errors import Forbidden, InvalidInput, NotFound
from service.models import (
    AuditEntry,
    Cluster,
    ClusterMember,
    Decision,
    Document,
    InitiativeRecord,
    Nomination,
    Person,
    TitleRecord,
    Unit,
)
from service.transitions import award_of, load_for_update, record_change, ruleset_of
from workflow.roles import Role

ASSEMBLE_DOSSIER = "assemble_dossier"
ASSEMBLE_DECISION = "assemble_decision"

# Who may assemble: the unit and cluster roles (to print and sign their proposal), the Board,
# admins and the scheduled flows. A decision is assembled by the city side only.
DOSSIER_ROLES = frozenset({Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD, Role.BOARD_OFFICER, Role.ADMIN, Role.SYSTEM})
DECISION_ROLES = frozenset({Role.BOARD_OFFICER, Role.APPROVER, Role.ADMIN, Role.SYSTEM})

# Document kinds: the catalogue's codes (config/rulesets, ``documents:``) where it has one.
COVER_LETTER = "to_trinh"
NOMINEE_LIST = "danh_sach_trich_ngang"
REPORTS = ("bao_cao_ca_nhan", "bao_cao_tap_the", "bao_cao_tom_tat")
CLUSTER_MINUTES = "bien_ban_kiem_phieu"
COUNCIL_MINUTES = "bien_ban_hoi_dong"  # the city council's ballot: not a dossier kind of the catalogue
DECISION = "quyet_dinh"
PRODUCIBLE = frozenset({COVER_LETTER, NOMINEE_LIST, *REPORTS, CLUSTER_MINUTES, COUNCIL_MINUTES})

HANOI = "Hà Nội"
CITY_PARENT = ("UBND THÀNH PHỐ HÀ NỘI",)
COUNCIL_NAME = "Hội đồng Thi đua - Khen thưởng thành phố Hà Nội"
# Actions whose date is the date the proposal was filed (the cover letter's date).
_FILING_ACTIONS = ("endorse", "record_cluster_result", "resubmit")
_GENDER = {"female": "Nữ", "male": "Nam"}
_SCOPE = {"grassroots": "cấp cơ sở", "city": "cấp thành phố", "national": "toàn quốc"}
_FORWARDED_TO = {"prime_minister": "Thủ tướng Chính phủ", "president": "Chủ tịch nước"}
# Tally keys shown in the minutes, in this order. Both the simple tallies recorded by hand
# ({"members", "present", "in_favour"}) and those of the ballot modules (workflow/votes.py:
# yes/no/abstain, base, needed, threshold…) are understood; other keys (ids, codes, English
# notes) are not printed.
_TALLY_LABELS = {
    "members": ("Tổng số thành viên", "Tổng số đơn vị thành viên"),  # (council, cluster)
    "present": ("Số thành viên có mặt", "Số đơn vị có mặt"),
    "quorum_needed": ("Số thành viên có mặt tối thiểu", "Số đơn vị có mặt tối thiểu"),
    "ballots": ("Số phiếu bầu", "Số phiếu bầu"),
    "ballots_cast": ("Số phiếu thu về", "Số phiếu thu về"),
    "absentee": ("Số phiếu gửi bằng văn bản", "Số phiếu gửi bằng văn bản"),
    "valid": ("Số phiếu hợp lệ", "Số phiếu hợp lệ"),
    "invalid": ("Số phiếu không hợp lệ", "Số phiếu không hợp lệ"),
    "in_favour": ("Số phiếu đồng ý", "Số phiếu đồng ý"),
    "yes": ("Số phiếu đồng ý", "Số phiếu đồng ý"),
    "against": ("Số phiếu không đồng ý", "Số phiếu không đồng ý"),
    "no": ("Số phiếu không đồng ý", "Số phiếu không đồng ý"),
    "abstain": ("Số phiếu không biểu quyết", "Số phiếu không biểu quyết"),
    "needed": ("Số phiếu đồng ý cần đạt", "Số phiếu đồng ý cần đạt"),
    "score_rank": ("Thứ hạng theo điểm chấm", "Thứ hạng theo điểm chấm"),
    "slots": ("Số chỉ tiêu còn lại", "Số chỉ tiêu còn lại"),
    "round": ("Vòng bỏ phiếu", "Vòng bỏ phiếu"),
}
# What the share of votes in favour is counted against, by the rule's denominator.
_BASE_LABELS = {
    ("council", "all"): "tổng số thành viên Hội đồng",
    ("council", "present"): "số thành viên có mặt",
    ("cluster", "all"): "tổng số đơn vị thành viên",
    ("cluster", "present"): "số đơn vị bỏ phiếu",
}
_SUMMARY_CHARS = 300


@dataclass(frozen=True)
class Planned:
    """One document of a dossier, before rendering: its kind and its renderer input."""

    kind: str
    source: Renderable


# --- public API ------------------------------------------------------------------------------


def plan_dossier(session: Session, nomination: Nomination) -> list[Planned]:
    """The documents the engine can produce for ``nomination`` now, in dossier order (read only)."""
    ruleset = ruleset_of(nomination)
    award = award_of(nomination)
    required = award.dossier[nomination.nominee_kind]  # type: ignore[index]
    entries = audit.entries_of(session, audit.nomination_chain(nomination.id))  # type: ignore[arg-type]
    filed_on = _filing_date(entries)
    nominee = _nominee(session, nomination)
    proposer, issuer, signature = _proposer(session, nomination, entries)
    cluster_tally = _last_tally(entries, "record_cluster_result")
    council_tally = _last_tally(entries, "record_council_result")

    planned: list[Planned] = []
    if COVER_LETTER in required:
        grounds: tuple[str, ...] = ()
        if cluster_tally is not None and nomination.cluster_id is not None:
            cluster = session.get(Cluster, nomination.cluster_id)
            grounds = (f"kết quả bỏ phiếu suy tôn của {cluster.name_vi} ngày {short_date(_local_date(cluster_tally.at))}",)  # type: ignore[union-attr]
        planned.append(
            Planned(
                COVER_LETTER,
                CoverLetter(
                    issuer=issuer,
                    date=filed_on,
                    proposer=proposer,
                    award=award.name_vi,
                    year=nomination.year,
                    nominees=(nominee,),
                    signature=signature,
                    place=HANOI,
                    legal_bases=tuple(ruleset.legal_basis),
                    grounds=grounds,
                    forwarded_to=_FORWARDED_TO.get(award.decided_by),
                ),
            )
        )
    for kind in REPORTS:
        if kind in required:
            planned.append(Planned(kind, _report(session, nomination, ruleset, nominee, filed_on, short=kind == "bao_cao_tom_tat")))
    planned.append(
        Planned(
            NOMINEE_LIST,
            NomineeList(
                issuer=issuer, date=filed_on, proposer=proposer, award=award.name_vi, year=nomination.year,
                nominees=(nominee,), signature=signature, place=HANOI,
            ),
        )
    )
    if cluster_tally is not None and nomination.cluster_id is not None:
        planned.append(Planned(CLUSTER_MINUTES, _cluster_minutes(session, nomination, cluster_tally, award.name_vi)))
    if council_tally is not None:
        planned.append(Planned(COUNCIL_MINUTES, _council_minutes(nomination, council_tally, award.name_vi, award.council_vote)))
    return planned


def assemble_dossier(session: Session, nomination_id: int, *, actor: Actor) -> list[Document]:
    """Render and store the nomination's dossier; audit the files' SHA-256. Returns the dossier's
    documents (DOCX then PDF of each kind, in dossier order). With the same inputs as the last
    assembly it stores nothing and writes no audit entry, and returns the stored documents."""
    _check_role(actor, DOSSIER_ROLES, "lập hồ sơ", "assemble a dossier")
    with write_transaction(session):
        nomination = load_for_update(session, nomination_id, actor)
        outputs = [(p.kind, render(p.source)) for p in plan_dossier(session, nomination)]
        files = _files(outputs, lambda kind: f"hs{nomination.id}_{kind}")
        documents = _store(session, nomination.id, files)
        last = _last_payload(session, audit.nomination_chain(nomination.id), ASSEMBLE_DOSSIER)  # type: ignore[arg-type]
        if last is None or last.get("files") != _summary(files):
            record_change(session, nomination, actor, ASSEMBLE_DOSSIER, _payload(outputs, files))
    return documents


def assemble_decision(session: Session, decision_id: int, *, actor: Actor) -> list[Document]:
    """Render and store an award decision with its annex of awardees (the nominations it decided);
    each awardee's audit trail records the files' SHA-256. Idempotent like :func:`assemble_dossier`."""
    _check_role(actor, DECISION_ROLES, "lập quyết định", "assemble a decision")
    with write_transaction(session):
        decision = session.get(Decision, decision_id, with_for_update=True)
        if decision is None:
            raise NotFound(f"Không tìm thấy quyết định #{decision_id}.", f"Decision #{decision_id} was not found.")
        if decision.kind != "award":
            raise InvalidInput(
                f"Văn bản {decision.number} là loại «{decision.kind}»; chỉ quyết định khen thưởng của Thành phố được lập từ mẫu.",
                f"Document {decision.number} is a {decision.kind!r} act; only the city's award decisions are rendered.",
            )
        awardees = [load_for_update(session, nid, actor) for nid in _awardee_ids(session, decision)]
        if not awardees:
            raise InvalidInput(
                f"Quyết định {decision.number} chưa có hồ sơ nào được khen thưởng.",
                f"Decision {decision.number} has no awarded nominations.",
            )
        outputs = [(DECISION, render(_decision(session, decision, awardees)))]
        files = _files(outputs, lambda kind: f"{kind}_{_slug(decision.number)}")
        documents = _store(session, None, files)
        payload = {"decision": decision.number, **_payload(outputs, files)}
        for nomination in awardees:
            chain = audit.nomination_chain(nomination.id)  # type: ignore[arg-type]
            last = _last_payload(session, chain, ASSEMBLE_DECISION, decision=decision.number)
            if last is None or last.get("files") != _summary(files):
                record_change(session, nomination, actor, ASSEMBLE_DECISION, payload)
    return documents


# --- storing and auditing ---------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    kind: str
    filename: str
    content_type: str
    sha256: str
    data: bytes


def _files(outputs: list[tuple[str, Rendered]], stem) -> list[_File]:  # type: ignore[no-untyped-def]
    files = []
    for kind, rendered in outputs:
        for ext, data, content_type in (("docx", rendered.docx, DOCX_CONTENT_TYPE), ("pdf", rendered.pdf, PDF_CONTENT_TYPE)):
            sha = hashlib.sha256(data).hexdigest()
            # The hash in the name keeps names unique across re-assemblies with changed content.
            files.append(_File(kind, f"{stem(kind)}_{sha[:8]}.{ext}", content_type, sha, data))
    return files


def _summary(files: list[_File]) -> list[dict[str, str]]:
    return [{"kind": f.kind, "filename": f.filename, "sha256": f.sha256} for f in files]


def _payload(outputs: list[tuple[str, Rendered]], files: list[_File]) -> dict[str, Any]:
    return {
        "files": _summary(files),
        "template_versions": {kind: f"{r.template}@{r.template_version}" for kind, r in outputs},
        "pdf_font": outputs[0][1].pdf_font if outputs else None,
    }


def _store(session: Session, nomination_id: int | None, files: list[_File]) -> list[Document]:
    """A Document row per file, reusing a stored one with the same kind, name and hash."""
    owner = Document.nomination_id == nomination_id if nomination_id is not None else Document.nomination_id.is_(None)  # type: ignore[union-attr]
    stored = {
        (d.kind, d.filename, d.sha256): d
        for d in session.exec(select(Document).where(owner, Document.sha256.in_([f.sha256 for f in files])))  # type: ignore[attr-defined]
    }
    documents = []
    for f in files:
        document = stored.get((f.kind, f.filename, f.sha256))
        if document is None:
            document = Document(
                nomination_id=nomination_id, kind=f.kind, filename=f.filename, content_type=f.content_type,
                sha256=f.sha256, data=f.data,
            )
            session.add(document)
            stored[(f.kind, f.filename, f.sha256)] = document
        documents.append(document)
    session.flush()
    return documents


def _last_payload(session: Session, chain: str, action: str, **match: Any) -> dict[str, Any] | None:
    query = select(AuditEntry.payload).where(AuditEntry.chain == chain, AuditEntry.action == action).order_by(AuditEntry.seq.desc())  # type: ignore[attr-defined]
    for text in session.exec(query):
        payload = json.loads(text)
        if all(payload.get(k) == v for k, v in match.items()):
            return payload
    return None


def _check_role(actor: Actor, roles: frozenset[Role], vi: str, en: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"Vai trò của bạn không được {vi}.", f"Your role ({actor.role.value}) may not {en}.")


# --- inputs from the records ------------------------------------------------------------------


def _local_date(at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(get_settings().zone).date()


def _filing_date(entries: list[AuditEntry]) -> date:
    """When the proposal was filed: the latest endorsement, cluster result or resubmission; else
    its receipt by the Board; else its creation."""
    for actions in (_FILING_ACTIONS, ("receive",)):
        dated = [e for e in entries if e.action in actions]
        if dated:
            return _local_date(dated[-1].at)
    return _local_date(entries[0].at)


def _last_tally(entries: list[AuditEntry], action: str) -> AuditEntry | None:
    """The latest entry of ``action`` that carries a non-empty tally (a re-vote replaces a vote)."""
    for entry in reversed(entries):
        if entry.action == action and audit.payload_of(entry).get("tally"):
            return entry
    return None


def _short_name(name: str) -> str:
    """"Sở Nội vụ thành phố Hà Nội" → "Sở Nội vụ": the city is already named in the header."""
    for suffix in (" thành phố Hà Nội", " Thành phố Hà Nội", " TP Hà Nội"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _unit_issuer(unit: Unit) -> Issuer:
    if unit.kind == "district":
        prefix = "Ủy ban nhân dân "
        rest = unit.name_vi.removeprefix(prefix)
        return Issuer(name=("ỦY BAN NHÂN DÂN", rest.upper()))
    return Issuer(parent=CITY_PARENT, name=(_short_name(unit.name_vi).upper(),))


def _proposer(session: Session, nomination: Nomination, entries: list[AuditEntry]) -> tuple[str, Issuer, Signature]:
    """Who files the proposal: the cluster on the cluster track once it has voted, else the unit."""
    if nomination.track == "cluster" and nomination.cluster_id is not None and _last_tally(entries, "record_cluster_result"):
        cluster = session.get(Cluster, nomination.cluster_id)
        assert cluster is not None
        return (
            cluster.name_vi,
            Issuer(parent=CITY_PARENT, name=(cluster.name_vi.upper(),)),
            Signature(authority=f"TM. {cluster.name_vi}", position="Cụm trưởng", hint="(Ký, đóng dấu)"),
        )
    unit = session.get(Unit, nomination.proposing_unit_code)
    assert unit is not None
    return unit.name_vi, _unit_issuer(unit), Signature(position="Thủ trưởng đơn vị", hint="(Ký, đóng dấu)")


def _summary_text(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _SUMMARY_CHARS:
        return flat
    return flat[:_SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def _nominee(session: Session, nomination: Nomination) -> Nominee:
    if nomination.person_id is not None:
        person = session.get(Person, nomination.person_id)
        assert person is not None
        unit = session.get(Unit, person.unit_code)
        return Nominee(
            name=nomination.nominee_name,
            kind="individual",
            birth_year=person.birth_year,
            gender=_GENDER.get(person.gender, person.gender),
            position=person.position_vi,
            unit=unit.name_vi if unit else person.unit_code,
            summary=_summary_text(nomination.achievements),
        )
    return Nominee(name=nomination.nominee_name, kind="collective", summary=_summary_text(nomination.achievements))


def _title_name(ruleset: RuleSet, code: str) -> str:
    if code in ruleset.history_titles:
        return ruleset.history_titles[code].name_vi
    try:
        return ruleset.award(code).name_vi
    except KeyError:
        return code


def _category(name: str) -> str:
    """Emulation title, commendation or civil-service rating, from the name (the catalogue does
    not say): "Bằng khen …", "Giấy khen", "Huân chương …" are commendations ("hình thức khen
    thưởng"); "Hoàn thành … nhiệm vụ" are ratings; the rest ("Chiến sĩ thi đua …", "Lao động tiên
    tiến", "Cờ thi đua …", "Tập thể lao động …") are titles ("danh hiệu thi đua")."""
    if name.startswith(("Bằng khen", "Giấy khen", "Huân chương", "Huy chương", "Khen thưởng")):
        return "commendation"
    if name.startswith("Hoàn thành"):
        return "rating"
    return "title"


def _report(session: Session, nomination: Nomination, ruleset: RuleSet, nominee: Nominee, filed_on: date, *, short: bool) -> AchievementReport:
    holder = (
        TitleRecord.person_id == nomination.person_id
        if nomination.person_id is not None
        else TitleRecord.unit_code == nomination.nominee_unit_code
    )
    records = session.exec(
        select(TitleRecord).where(holder, TitleRecord.year <= nomination.year).order_by(TitleRecord.year, TitleRecord.title, TitleRecord.id)
    )
    honours = []
    for record in records:
        name = _title_name(ruleset, record.title)
        honours.append(HonourLine(year=record.year, name=name, decision=record.decision_ref or "", category=_category(name)))  # type: ignore[arg-type]
    initiatives: tuple[InitiativeLine, ...] = ()
    issuer = None
    if nomination.person_id is not None:
        rows = session.exec(
            select(InitiativeRecord)
            .where(InitiativeRecord.person_id == nomination.person_id, InitiativeRecord.year <= nomination.year)
            .order_by(InitiativeRecord.year, InitiativeRecord.id)
        )
        initiatives = tuple(InitiativeLine(r.year, r.title, _SCOPE.get(r.scope, r.scope), r.certified) for r in rows)
    else:
        unit = session.get(Unit, nomination.nominee_unit_code)
        assert unit is not None
        issuer = _unit_issuer(unit)
    return AchievementReport(
        nominee=nominee,
        award=award_of(nomination).name_vi,
        year=nomination.year,
        date=filed_on,
        achievements=nomination.achievements,
        issuer=issuer,
        short=short,
        honours=tuple(honours),
        initiatives=initiatives,
        place=HANOI,
    )


def _tally_lines(tally: dict[str, Any], ballot: str) -> tuple[TallyLine, ...]:
    column = 0 if ballot == "council" else 1
    lines = []
    for key, labels in _TALLY_LABELS.items():
        if key in tally and not (key == "yes" and "in_favour" in tally) and not (key == "no" and "against" in tally):
            lines.append(TallyLine(labels[column], str(tally[key])))
    if "threshold" in tally:
        base = _BASE_LABELS.get((ballot, str(tally.get("denominator"))), "")
        lines.append(TallyLine("Tỷ lệ phiếu đồng ý cần đạt", f"{tally['threshold']} {base}".strip()))
    return tuple(lines)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _minutes(
    nomination: Nomination, entry: AuditEntry, award_name: str, *, ballot: str, denominator: str, default_base: int | None,
    issuer: Issuer, body: str, chair: Signature, secretary: Signature,
) -> BallotMinutes:
    payload = audit.payload_of(entry)
    tally = payload.get("tally") or {}
    in_favour = _int(tally.get("in_favour", tally.get("yes")))
    denominator = str(tally.get("denominator") or denominator)
    total = _int(tally.get("base")) or default_base
    return BallotMinutes(
        issuer=issuer,
        ballot=ballot,  # type: ignore[arg-type]
        date=_local_date(entry.at),
        body=body,
        candidate=nomination.nominee_name,
        award=award_name,
        year=nomination.year,
        tally=_tally_lines(tally, ballot),
        passed=payload.get("passed"),
        in_favour=in_favour,
        base=(_BASE_LABELS[(ballot, denominator)], total) if total and (ballot, denominator) in _BASE_LABELS else None,
        reason=entry.reason,
        chair=chair,
        secretary=secretary,
        place=HANOI,
    )


def _cluster_minutes(session: Session, nomination: Nomination, entry: AuditEntry, award_name: str) -> BallotMinutes:
    cluster = session.get(Cluster, nomination.cluster_id)
    assert cluster is not None
    tally = audit.payload_of(entry).get("tally") or {}
    rule = award_of(nomination).cluster_ballot
    denominator = rule.denominator if rule is not None else "all"
    if denominator == "all":
        default_base = _int(tally.get("members")) or len(
            session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster.id)).all()
        )
    else:
        default_base = _int(tally.get("ballots")) or _int(tally.get("ballots_cast")) or _int(tally.get("present"))
    return _minutes(
        nomination, entry, award_name, ballot="cluster", denominator=denominator, default_base=default_base,
        issuer=Issuer(parent=CITY_PARENT, name=(cluster.name_vi.upper(),)), body=cluster.name_vi,
        chair=Signature(authority=f"TM. {cluster.name_vi}", position="Cụm trưởng"), secretary=Signature(position="Thư ký"),
    )


def _council_minutes(nomination: Nomination, entry: AuditEntry, award_name: str, rule: Any) -> BallotMinutes:
    tally = audit.payload_of(entry).get("tally") or {}
    denominator = rule.denominator if rule is not None else "all"
    default_base = _int(tally.get("members")) if denominator == "all" else _int(tally.get("present"))
    return _minutes(
        nomination, entry, award_name, ballot="council", denominator=denominator, default_base=default_base,
        issuer=Issuer(parent=CITY_PARENT, name=("HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",)), body=COUNCIL_NAME,
        chair=Signature(authority="TM. Hội đồng", position="Chủ tịch Hội đồng"), secretary=Signature(position="Thư ký Hội đồng"),
    )


def _awardee_ids(session: Session, decision: Decision) -> list[int]:
    """The nominations the decision awarded: those pointing at it, and those whose ``decide``
    entry names its number (before migration 0005 a revocation re-pointed ``decision_id`` at the
    revoking act; the awardee stays in the decision as signed either way)."""
    ids = set(session.exec(select(Nomination.id).where(Nomination.decision_id == decision.id)))
    needle = '"document":' + json.dumps(decision.number, ensure_ascii=False)
    rows = session.exec(
        select(AuditEntry.chain, AuditEntry.payload).where(AuditEntry.action == "decide", AuditEntry.payload.contains(needle, autoescape=True))  # type: ignore[attr-defined]
    )
    for chain, payload in rows:
        if json.loads(payload).get("document") == decision.number and chain.startswith("nomination:"):
            ids.add(int(chain.split(":", 1)[1]))
    return sorted(i for i in ids if i is not None)


def _decision(session: Session, decision: Decision, awardees: list[Nomination]) -> AwardDecision:
    lines = []
    titles: list[str] = []
    bases: list[str] = []
    for nomination in awardees:
        award = award_of(nomination)
        nominee = _nominee(session, nomination)
        lines.append(Awardee(name=nominee.name, kind=nominee.kind, award=award.name_vi, description=nominee.workplace))
        if _category(award.name_vi) == "title" and award.name_vi not in titles:
            titles.append(award.name_vi)
        for basis in ruleset_of(nomination).legal_basis:
            if basis not in bases:
                bases.append(basis)
    years = {n.year for n in awardees}
    return AwardDecision(
        number=decision.number,
        date=decision.signed_on,
        awardees=tuple(lines),
        signature=Signature(position="Chủ tịch", name=decision.signer),
        legal_bases=tuple(bases),
        titles=tuple(titles),
        year=years.pop() if len(years) == 1 else None,
        place=HANOI,
    )


def _slug(text: str) -> str:
    """"5120/QĐ-UBND" → "5120-QD-UBND", safe in a file name."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c))
    return "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "-" for c in ascii_text).strip("-")
