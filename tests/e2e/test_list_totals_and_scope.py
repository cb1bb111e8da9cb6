"""The nominations list's total (counted up to a cap) and what cluster roles see in it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, or_, select

from config.settings import get_settings
from service.actors import Actor
from service.models import Cluster, ClusterMember, Nomination
from service.queries import count_up_to, list_rows
from tests.e2e.test_api_refusals import count
from tests.e2e.test_page_authorization import sign_in  # noqa: F401  (fixture)
from workflow.roles import Role

Login = Callable[[str], dict[str, str]]


@pytest.fixture
def cap_of_3(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("TDKT_LIST_TOTAL_CAP", "3")
    get_settings.cache_clear()
    yield 3
    monkeypatch.delenv("TDKT_LIST_TOTAL_CAP")
    get_settings.cache_clear()


def test_a_total_beyond_the_cap_is_the_cap_and_says_it_is_not_exact(client: TestClient, login: Login, demo_engine: Engine,
                                                                    cap_of_3: int) -> None:
    everything = count(demo_engine, Nomination)
    assert everything > cap_of_3  # the demo holds more than the cap, or this test shows nothing
    page = client.get("/nominations", params={"limit": 2}, headers=login("ban.tdkt")).json()
    assert (page["total"], page["total_exact"], len(page["items"])) == (cap_of_3, False, 2)
    # Paging goes on past the cap: the cap bounds the count, not the rows one may read.
    beyond = client.get("/nominations", params={"limit": 2, "offset": everything - 1}, headers=login("ban.tdkt")).json()
    assert len(beyond["items"]) == 1 and beyond["total_exact"] is False
    # A filter that matches no more than the cap gets its exact total.
    drafts = count(demo_engine, Nomination, Nomination.state == "awaiting_signature")
    assert drafts <= cap_of_3
    narrow = client.get("/nominations", params={"state": "awaiting_signature"}, headers=login("ban.tdkt")).json()
    assert (narrow["total"], narrow["total_exact"]) == (drafts, True)


def test_the_list_page_says_more_than_the_cap(sign_in: Callable[[str], TestClient], cap_of_3: int) -> None:
    board = sign_in("ban.tdkt")
    vi = board.get("/web/nominations", params={"lang": "vi"})
    assert vi.status_code == 200 and '<span class="muted" id="total">(hơn 3)</span>' in vi.text
    en = board.get("/web/nominations", params={"lang": "en"})
    assert '<span class="muted" id="total">(more than 3)</span>' in en.text
    narrow = board.get("/web/nominations", params={"lang": "vi", "state": "awaiting_signature"})
    assert re.search(r'<span class="muted" id="total">\(\d\)</span>', narrow.text)


def test_under_the_cap_totals_are_exact(client: TestClient, login: Login, demo_engine: Engine) -> None:
    page = client.get("/nominations", params={"limit": 1}, headers=login("ban.tdkt")).json()
    assert page["total"] == count(demo_engine, Nomination) and page["total_exact"] is True


@pytest.mark.parametrize(("username", "role"), [("cum7.truong", Role.CLUSTER_HEAD), ("cum7.thanhvien", Role.CLUSTER_MEMBER)])
def test_a_cluster_role_lists_exactly_its_clusters_nominations(client: TestClient, login: Login, demo_engine: Engine,
                                                               username: str, role: Role) -> None:
    unit = {"cum7.truong": "SO_LDTBXH", "cum7.thanhvien": "SO_VHTT"}[username]
    with Session(demo_engine) as s:
        if role is Role.CLUSTER_HEAD:
            clusters = select(Cluster.id).where(or_(Cluster.head_unit == unit, Cluster.deputy_unit == unit))
        else:
            clusters = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == unit)
        expected = sorted(s.exec(select(Nomination.id).where(Nomination.cluster_id.in_(clusters))))  # type: ignore[union-attr]
    assert expected, "the demo gives cluster 7 nominations, or this test shows nothing"
    page = client.get("/nominations", params={"limit": 200}, headers=login(username)).json()
    assert [n["id"] for n in page["items"]] == expected and page["total"] == len(expected)


def test_a_membership_added_later_is_seen_by_the_next_transaction(demo_engine: Engine) -> None:
    """The cluster ids a list uses are remembered for one transaction, not for the session."""

    def visible_to(unit: str) -> int:
        with Session(demo_engine) as s:
            mine = select(ClusterMember.cluster_id).where(ClusterMember.unit_code == unit)
            return s.exec(select(func.count()).select_from(Nomination).where(Nomination.cluster_id.in_(mine))).one()  # type: ignore[union-attr]

    with Session(demo_engine) as s:
        cluster_id = s.exec(select(Nomination.cluster_id).where(Nomination.cluster_id.is_not(None))).first()  # type: ignore[union-attr]
        assert cluster_id is not None, "the demo has cluster-track nominations, or this test shows nothing"
        outsider = s.exec(select(Nomination.proposing_unit_code).where(
            Nomination.proposing_unit_code.not_in(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster_id))
        )).first()
        assert outsider is not None
    before = visible_to(outsider)
    actor = Actor(name="thu.nghiem", role=Role.CLUSTER_MEMBER, unit_code=outsider)
    with Session(demo_engine) as session:
        assert count_up_to(session, actor, 10_000).count == len(list_rows(session, actor, limit=10_000)) == before
        session.commit()  # ends the read transaction
        with Session(demo_engine) as other:
            other.add(ClusterMember(cluster_id=cluster_id, unit_code=outsider))
            other.commit()
        after = visible_to(outsider)
        assert after > before
        assert count_up_to(session, actor, 10_000).count == len(list_rows(session, actor, limit=10_000)) == after


def _pager_links(html: str) -> tuple[list[str], str | None]:
    nav = re.search(r'<nav aria-label="[^"]+" class="pager">(.*?)</nav>', html, re.S)
    assert nav, "the list page shows a pager"
    numbers = re.findall(r'<a href="\?page=\d+[^"]*">(\d+)</a>|<strong aria-current="page">(\d+)</strong>|(…)', nav.group(1))
    following = re.search(r'<a rel="next" href="\?page=(\d+)', nav.group(1))
    return ["".join(n) for n in numbers], following.group(1) if following else None


def test_the_list_pages_pager_shows_a_window_and_next_walks_every_row(sign_in: Callable[[str], TestClient], demo_engine: Engine,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.web.nominations.PAGE", 2)
    board = sign_in("ban.tdkt")
    everything = count(demo_engine, Nomination)
    pages = (everything + 1) // 2
    assert pages > 7, "the demo needs enough nominations for a gap in the pager"
    first = board.get("/web/nominations", params={"lang": "vi"})
    numbers, following = _pager_links(first.text)
    assert numbers == ["1", "2", "3", "…", str(pages)] and following == "1"
    assert "Trang sau" in first.text and "Trang trước" not in first.text
    seen: list[str] = []
    page: str | None = "0"
    while page is not None:
        html = board.get("/web/nominations", params={"page": page}).text
        seen += re.findall(r'<tr data-nomination="(\d+)"', html)
        page = _pager_links(html)[1]
    assert len(seen) == everything and len(set(seen)) == everything


def test_past_the_cap_the_pager_offers_next_but_no_last_page(sign_in: Callable[[str], TestClient], demo_engine: Engine,
                                                             monkeypatch: pytest.MonkeyPatch, cap_of_3: int) -> None:
    monkeypatch.setattr("service.web.nominations.PAGE", 2)
    board = sign_in("ban.tdkt")
    numbers, following = _pager_links(board.get("/web/nominations").text)
    assert numbers == ["1", "2"] and following == "1"  # 3 counted → 2 pages known, more may follow
    numbers, following = _pager_links(board.get("/web/nominations", params={"page": 5}).text)
    assert numbers == ["1", "…", "4", "5", "6"] and following == "6"


def test_the_list_pages_unit_filter_offers_every_unit_and_filters_by_the_chosen_one(
        sign_in: Callable[[str], TestClient], demo_engine: Engine) -> None:
    from service.models import Unit

    with Session(demo_engine) as s:
        units = s.exec(select(Unit.code, Unit.name_vi).order_by(Unit.code)).all()  # type: ignore[call-overload]
        in_unit = s.exec(select(func.count()).select_from(Nomination).where(Nomination.proposing_unit_code == "SO_YT")).one()
    assert len(units) > 1 and in_unit > 0  # the demo has units to choose among and nominations in this one
    board = sign_in("ban.tdkt")
    page = board.get("/web/nominations", params={"lang": "vi", "unit": "SO_YT"})
    assert page.status_code == 200
    options = re.findall(r'<option value="([A-Z0-9_]+)" ?(selected)?>([^<]*)</option>',
                         page.text.split('<select id="unit"', 1)[1].split("</select>", 1)[0])
    assert [(code, name) for code, _, name in options] == [(u.code, u.name_vi) for u in units]  # every unit, in code order
    assert [code for code, chosen, _ in options if chosen] == ["SO_YT"]
    assert re.search(rf'<span class="muted" id="total">\({in_unit}\)</span>', page.text)  # only that unit's nominations
    unknown = board.get("/web/nominations", params={"lang": "vi", "unit": "NO_SUCH_UNIT"})
    assert unknown.status_code == 200 and ' selected>' not in unknown.text.split('<select id="unit"', 1)[1].split("</select>", 1)[0]
