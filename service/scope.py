"""Which nominations a person may see and act on ("phạm vi"), by role. See domain.md §2.

Unit roles see their unit's proposals; cluster roles see their cluster's nominations of that
year; city-level roles see everything; the public sees only published decisions (not here).
"""

from __future__ import annotations

from sqlmodel import Session, select

from service.actors import Actor
from service.models import Cluster, ClusterMember, Nomination
from workflow.roles import Role

_CITY_ROLES = frozenset({Role.BOARD_OFFICER, Role.COUNCIL_MEMBER, Role.APPROVER, Role.ADMIN, Role.SYSTEM})


def can_act_on(session: Session, actor: Actor, nomination: Nomination) -> bool:
    if actor.role in _CITY_ROLES:
        return True
    if actor.role in (Role.SUBMITTER, Role.UNIT_HEAD):
        return actor.unit_code is not None and nomination.proposing_unit_code == actor.unit_code
    if nomination.cluster_id is None or actor.unit_code is None:
        return False
    cluster = session.get(Cluster, nomination.cluster_id)
    if cluster is None:
        return False
    if actor.role is Role.CLUSTER_HEAD:
        return actor.unit_code in (cluster.head_unit, cluster.deputy_unit)
    if actor.role is Role.CLUSTER_MEMBER:
        member = session.exec(
            select(ClusterMember).where(
                ClusterMember.cluster_id == cluster.id, ClusterMember.unit_code == actor.unit_code
            )
        ).first()
        return member is not None
    return False


def visible_filter(actor: Actor):  # type: ignore[no-untyped-def]
    """A SQL condition restricting a nomination query to what ``actor`` may see."""
    if actor.role in _CITY_ROLES:
        return True
    if actor.role in (Role.SUBMITTER, Role.UNIT_HEAD):
        return Nomination.proposing_unit_code == (actor.unit_code or "")
    if actor.role is Role.CLUSTER_HEAD:
        heads = select(Cluster.id).where((Cluster.head_unit == actor.unit_code) | (Cluster.deputy_unit == actor.unit_code))
        return Nomination.cluster_id.in_(heads)  # type: ignore[union-attr]
    if actor.role is Role.CLUSTER_MEMBER:
        mine = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == actor.unit_code)
        return Nomination.cluster_id.in_(mine)  # type: ignore[union-attr]
    return False
