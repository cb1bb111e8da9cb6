"""Who acts on which step ("vai trò"). See ../shared/domain.md §2.

Scope (which unit, cluster or year a person may act for) is checked by the service; this module
only says which role an event belongs to, so the same table answers "may this role do it?" and
"whose turn is it?".
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUBMITTER = "submitter"  # cán bộ làm công tác TĐKT của đơn vị
    UNIT_HEAD = "unit_head"  # thủ trưởng đơn vị
    CLUSTER_MEMBER = "cluster_member"  # đơn vị thành viên cụm
    CLUSTER_HEAD = "cluster_head"  # cụm trưởng / cụm phó
    BOARD_OFFICER = "board_officer"  # chuyên viên Ban TĐKT
    COUNCIL_MEMBER = "council_member"  # thành viên Hội đồng TĐKT
    APPROVER = "approver"  # Chủ tịch UBND TP (hoặc người được ủy quyền)
    ADMIN = "admin"  # quản trị hệ thống
    SYSTEM = "system"  # the scheduled flows (deadline sweep, ballot close)
    PUBLIC = "public"


EVENT_ROLES: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.SUBMITTER}),
    "send_back": frozenset({Role.UNIT_HEAD}),
    "endorse": frozenset({Role.UNIT_HEAD}),
    "open_cluster_review": frozenset({Role.CLUSTER_HEAD}),
    # A ballot closed by the cluster head, or by the scheduled close of a ballot window.
    "record_cluster_result": frozenset({Role.CLUSTER_HEAD, Role.SYSTEM}),
    "receive": frozenset({Role.BOARD_OFFICER}),
    "return_for_completion": frozenset({Role.BOARD_OFFICER}),
    "resubmit": frozenset({Role.SUBMITTER}),
    "start_appraisal": frozenset({Role.BOARD_OFFICER}),
    "reject": frozenset({Role.BOARD_OFFICER}),
    "decline": frozenset({Role.APPROVER}),
    "request_consultation": frozenset({Role.BOARD_OFFICER}),
    "record_consultation": frozenset({Role.BOARD_OFFICER}),
    "publish_notice": frozenset({Role.BOARD_OFFICER}),
    "close_notice": frozenset({Role.BOARD_OFFICER, Role.SYSTEM}),
    "send_to_council": frozenset({Role.BOARD_OFFICER}),
    "submit_for_signature": frozenset({Role.BOARD_OFFICER}),
    "record_council_result": frozenset({Role.BOARD_OFFICER, Role.SYSTEM}),
    "decide": frozenset({Role.APPROVER}),
    "forward": frozenset({Role.APPROVER}),
    "record_central_result": frozenset({Role.BOARD_OFFICER}),
    "revoke": frozenset({Role.APPROVER}),
    "withdraw": frozenset({Role.SUBMITTER, Role.UNIT_HEAD}),
    "expire": frozenset({Role.SYSTEM}),
}

# Events that do not make a state someone's turn: withdrawing and expiring are possible at
# almost any time, and revoking a decided award ("thu hồi") is an exception, not a step that
# waits for the Chairman (an award is not "waiting for" anyone; no "action needed" mail).
NOT_A_TURN = frozenset({"withdraw", "expire", "revoke"})


def roles_for(event: str) -> frozenset[Role]:
    return EVENT_ROLES[event]


def responsible_roles(enabled: list[str]) -> frozenset[Role]:
    """Whose turn it is, given the events enabled in the current state."""
    roles: set[Role] = set()
    for event in enabled:
        if event not in NOT_A_TURN:
            roles |= EVENT_ROLES[event] - {Role.SYSTEM}
    return frozenset(roles)
