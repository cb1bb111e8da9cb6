"""Units and clusters: the shipped data, the seed facts it encodes, and every load-time check."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pytest
import yaml

from config.errors import ConfigError
from config.org import ORG_DIR, load_org

SEED_CLUSTER_6 = {"VP_UBND", "TT_XTDT", "THANH_TRA", "SO_NV", "SO_TP", "SO_NGV", "BAN_DT"}
SEED_CLUSTER_7 = {"SO_GDDT", "SO_YT", "SO_VHTT", "SO_LDTBXH", "SO_KHCN", "SO_TTTT"}


# --- shipped data


def test_shipped_org_loads_and_is_cached():
    org = load_org()
    assert org is load_org()
    assert {"BAN_TDKT", "Q_HOAN_KIEM"} <= set(org.units)
    assert SEED_CLUSTER_6 | SEED_CLUSTER_7 <= set(org.units)
    assert org.units["BAN_TDKT"].kind == "board"
    assert org.units["BAN_TDKT"].parent == "SO_NV"
    assert all(u.email.endswith("@hanoi.gov.vn.example") for u in org.units.values())


def test_cluster_of_2023_follows_seeds_000_and_001():
    org = load_org()
    six = org.cluster_of("SO_NV", 2023)
    assert (six.code, six.head, six.deputy) == ("CUM_6", "VP_UBND", "TT_XTDT")
    assert set(six.members) == SEED_CLUSTER_6
    seven = org.cluster_of("SO_VHTT", 2023)
    assert (seven.code, seven.head, seven.deputy) == ("CUM_7", "SO_GDDT", "SO_YT")
    assert set(seven.members) == SEED_CLUSTER_7
    assert not six.confirm and not seven.confirm


def test_cluster_of_2024_has_the_head_and_deputy_elected_in_seed_000():
    org = load_org()
    six = org.cluster_of("BAN_DT", 2024)
    assert (six.code, six.head, six.deputy) == ("CUM_6", "THANH_TRA", "SO_NV")
    assert set(six.members) == SEED_CLUSTER_6
    assert org.cluster_of("SO_YT", 2024).confirm  # rotation invented for the demo


def test_cluster_vi_2020_is_headed_by_the_ethnic_affairs_committee():
    six = load_org().cluster("CUM_6", 2020)
    assert six.name_vi == "Cụm thi đua số VI"
    assert six.head == "BAN_DT" and six.deputy is None and six.confirm


def test_demo_years_carry_both_clusters_forward_with_a_new_head_each_year():
    org = load_org()
    for code in ("CUM_6", "CUM_7"):
        heads = [org.cluster(code, year).head for year in (2024, 2025, 2026)]
        assert len(set(heads)) == 3
    for year in (2025, 2026):
        assert sorted(c.code for c in org.clusters_in(year)) == ["CUM_6", "CUM_7"]
        assert all(c.confirm for c in org.clusters_in(year))


def test_units_outside_any_cluster_or_year_have_none():
    org = load_org()
    assert org.cluster_of("Q_HOAN_KIEM", 2024) is None
    assert org.cluster_of("SO_NV", 2019) is None
    assert org.clusters_in(2019) == []


def test_every_name_is_nfc():
    org = load_org()
    names = [u.name_vi for u in org.units.values()] + [c.name_vi for c in org.clusters]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    for name in ("units.yaml", "clusters.yaml"):
        assert unicodedata.is_normalized("NFC", (ORG_DIR / name).read_text(encoding="utf-8")), name


# --- validation: each rule has a failing file


def _unit(code: str, **extra) -> dict:
    return {"code": code, "name_vi": f"Sở {code}", "name_en": code, "kind": "department",
            "email": f"{code.lower()}@hanoi.gov.vn.example", **extra}


def _cluster(code: str = "CUM_1", year: int = 2024, members=("A", "B", "C"), head="A", deputy="B") -> dict:
    return {"code": code, "name_vi": "Cụm thi đua số 1", "name_en": "Cluster 1", "year": year,
            "members": list(members), "head": head, "deputy": deputy, "source": "test"}


BASE = {"units": [_unit("A"), _unit("B"), _unit("C"), _unit("D")], "clusters": [_cluster()]}


def _write(folder: Path, data: dict) -> None:
    for key in ("units", "clusters"):
        text = yaml.safe_dump({key: data[key]}, allow_unicode=True, sort_keys=False)
        (folder / f"{key}.yaml").write_text(text, encoding="utf-8")


def _failing(tmp_path: Path, edit) -> ConfigError:
    data = copy.deepcopy(BASE)
    edit(data)
    _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_org(tmp_path)
    return info.value


def test_the_base_fixture_is_valid(tmp_path):
    _write(tmp_path, BASE)
    org = load_org(tmp_path)
    assert org.cluster_of("C", 2024).head == "A"


def test_same_unit_in_clusters_of_different_years_is_fine(tmp_path):
    data = copy.deepcopy(BASE)
    data["clusters"].append(_cluster(year=2025, head="C", deputy="A"))
    _write(tmp_path, data)
    assert load_org(tmp_path).cluster_of("A", 2025).head == "C"


CASES = [
    # (id, edit, file, entry, words in the problem)
    ("duplicate unit", lambda d: d["units"].append(_unit("B")), "units.yaml", "units[4].code", "duplicate unit B"),
    ("unknown parent", lambda d: d["units"][1].update(parent="ZZ"), "units.yaml", "units[1].parent", "'ZZ'"),
    ("own parent", lambda d: d["units"][1].update(parent="B"), "units.yaml", "units[1].parent", "own parent"),
    ("bad kind", lambda d: d["units"][0].update(kind="ministry"), "units.yaml", "units[0].kind", "department"),
    ("not NFC", lambda d: d["units"][2].update(name_vi=unicodedata.normalize("NFD", "Sở Tư pháp")),
     "units.yaml", "units[2].name_vi", "NFC"),
    ("duplicate cluster-year", lambda d: d["clusters"].append(_cluster()),
     "clusters.yaml", "clusters[1]", "duplicate cluster CUM_1 for 2024"),
    ("unknown member", lambda d: d["clusters"][0]["members"].append("ZZ"),
     "clusters.yaml", "clusters[0].members[3]", "'ZZ'"),
    ("unknown head", lambda d: d["clusters"][0].update(head="ZZ"), "clusters.yaml", "clusters[0].head", "'ZZ'"),
    ("unknown deputy", lambda d: d["clusters"][0].update(deputy="ZZ"), "clusters.yaml", "clusters[0].deputy", "'ZZ'"),
    ("head not a member", lambda d: d["clusters"][0].update(head="D"),
     "clusters.yaml", "clusters[0].head", "not a member"),
    ("deputy not a member", lambda d: d["clusters"][0].update(deputy="D"),
     "clusters.yaml", "clusters[0].deputy", "not a member"),
    ("head is deputy", lambda d: d["clusters"][0].update(deputy="A"),
     "clusters.yaml", "clusters[0].deputy", "different"),
    ("two clusters in a year",
     lambda d: d["clusters"].append(_cluster("CUM_2", members=("D", "C"), head="D", deputy="C")),
     "clusters.yaml", "clusters[1].members[1]", "already in CUM_1"),
    ("member twice", lambda d: d["clusters"][0]["members"].append("A"),
     "clusters.yaml", "clusters[0].members[3]", "listed twice"),
    ("year out of range", lambda d: d["clusters"][0].update(year=1989), "clusters.yaml", "clusters[0].year", "1990"),
    ("pydantic list position", lambda d: d["clusters"][0]["members"].__setitem__(1, "lower"),
     "clusters.yaml", "clusters[0].members[1]", "pattern"),
    ("wrong top-level key", lambda d: d.update(units={"unit": d["units"]}), "units.yaml", "units", "list"),
]


@pytest.mark.parametrize(("edit", "file", "entry", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_org_names_file_and_entry(tmp_path, edit, file, entry, words):
    err = _failing(tmp_path, edit)
    assert err.file == str(tmp_path / file)
    assert err.entry == entry
    assert words in err.problem
    # Values pydantic rejects also carry their line: "file: entry (line N, column C): reason".
    where = f" (line {err.line}, column {err.column})" if err.line is not None else ""
    assert str(err).startswith(f"{tmp_path / file}: {entry}{where}: ")


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_org(tmp_path)
    assert info.value.file == str(tmp_path / "units.yaml")
