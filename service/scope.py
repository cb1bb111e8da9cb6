"""Which nominations a person may see and act on ("phạm vi"), by role. See domain.md §2.

Unit roles see their unit's proposals; cluster roles see their cluster's nominations of that
year; city-level roles see everything; the public sees only published decisions (not here).
"""

from __future__ import annotations

from sqlmodel import Session, select

from service.actors import Actor
from service.models import Cluster, ClusterMember, Nomination
from workflow.roles import Role

_CLUSTERS_OF = "tdkt_clusters_of"  # session.info: (transaction, {(role, unit): cluster ids})
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


def visible_scope(actor: Actor, session: Session) -> tuple[str, dict[str, object]]:
    """What ``actor`` may see, as a kind of condition and its values: ``("all", {})`` for the
    city's roles, ``("unit", {"scope_unit": code})`` for a unit's roles, ``("clusters",
    {"scope_clusters": ids})`` for a cluster's, ``("none", {})`` otherwise. The lists build one
    statement per kind and bind the values (:mod:`service.queries`).

    A cluster role's clusters are read first and bound as ids: with a subquery the planner could
    not tell how many nominations match (PostgreSQL guessed 20,000 for 164 and walked the whole
    table in id order, 5.5 ms instead of 0.3 ms). Read once per transaction."""
    if actor.role in _CITY_ROLES:
        return "all", {}
    if actor.role in (Role.SUBMITTER, Role.UNIT_HEAD):
        return "unit", {"scope_unit": actor.unit_code or ""}
    if actor.role in (Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER):
        return "clusters", {"scope_clusters": _clusters_of(actor, session)}
    return "none", {}


def _clusters_of(actor: Actor, session: Session) -> list[int]:
    """The clusters a cluster head leads (as head or deputy) or a member belongs to."""
    # Remembered for the current transaction only: a later one may see other memberships.
    key = (actor.role, actor.unit_code)
    held = session.info.get(_CLUSTERS_OF)
    if held is not None and held[0] is session.get_transaction() and key in held[1]:
        return held[1][key]
    if actor.role is Role.CLUSTER_HEAD:
        query = select(Cluster.id).where((Cluster.head_unit == actor.unit_code) | (Cluster.deputy_unit == actor.unit_code))
    else:
        query = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == actor.unit_code)
    ids = sorted(session.exec(query))
    transaction = session.get_transaction()  # the query began one if none was open
    if held is None or held[0] is not transaction:
        held = session.info[_CLUSTERS_OF] = (transaction, {})
    held[1][key] = ids
    return ids
