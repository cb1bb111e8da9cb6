"""Pledges and scoring tables (config/clusters) and the council list (config/demo/council.yaml):
the shipped files and every load-time check, which names the file and the entry."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pytest
import yaml

from config.council import COUNCIL_FILE, load_council
from config.errors import ConfigError
from config.pledges import PLEDGES_DIR, load_pledges, pledge_for, pledge_from_snapshot


def test_shipped_pledges_load_for_both_seed_clusters() -> None:
    pledges = load_pledges()
    assert {("CUM_6", 2023), ("CUM_7", 2023), ("CUM_6", 2026), ("CUM_7", 2026)} <= set(pledges)
    p = pledge_for("CUM_7", 2026).pledge
    assert {t.code for t in p.targets} >= {"tthc_on_time", "online_level_3_4", "cchc_initiative"}
    on_time = next(t for t in p.targets if t.code == "tthc_on_time")
    assert (on_time.comparator, on_time.value) == ("at_least", 95) and "95%" in on_time.text_vi
    assert p.targets_of("SO_YT")[-1].code == "yt_satisfaction"
    assert all(c.evidence_vi for c in p.criteria) and p.bonus.cap == 5 and p.penalty.cap == 10
    with pytest.raises(LookupError):
        pledge_for("CUM_6", 2019)


def test_every_pledge_file_is_nfc() -> None:
    for file in PLEDGES_DIR.glob("*.yaml"):
        assert unicodedata.is_normalized("NFC", file.read_text(encoding="utf-8")), file.name
    assert unicodedata.is_normalized("NFC", COUNCIL_FILE.read_text(encoding="utf-8"))


def test_a_snapshot_gives_back_the_same_pledge() -> None:
    source = pledge_for("CUM_6", 2023)
    snapshot = source.snapshot()
    assert snapshot["file"] == "pledge-2023.yaml" and len(snapshot["sha256"]) == 64
    assert pledge_from_snapshot(snapshot) == source.pledge


def _write(tmp_path: Path, data: dict, name: str = "pledge-2026.yaml") -> Path:
    folder = tmp_path / "clusters"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def shipped() -> dict:
    return yaml.safe_load((PLEDGES_DIR / "pledge-2026.yaml").read_text(encoding="utf-8"))


def _fails(folder: Path, entry: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_pledges(folder)
    assert caught.value.file.endswith(".yaml")
    assert entry in caught.value.entry, caught.value
    assert problem in caught.value.problem, caught.value


def test_criteria_must_add_up_to_the_group(tmp_path: Path, shipped: dict) -> None:
    data = copy.deepcopy(shipped)
    data["groups"][0]["criteria"][0]["max_points"] = 29
    _fails(_write(tmp_path, data), "groups[I]", "add up to 59")


def test_a_criterion_must_measure_a_known_target(tmp_path: Path, shipped: dict) -> None:
    data = copy.deepcopy(shipped)
    data["groups"][0]["criteria"][1]["target"] = "tthc_ontime"
    _fails(_write(tmp_path, data), "(file)", "unknown target 'tthc_ontime'")


def test_a_cluster_must_exist_that_year(tmp_path: Path, shipped: dict) -> None:
    data = copy.deepcopy(shipped)
    data["clusters"] = ["CUM_7", "CUM_9"]
    _fails(_write(tmp_path, data), "clusters[1]", "no cluster CUM_9 in 2026")


def test_two_files_cannot_give_one_cluster_two_pledges(tmp_path: Path, shipped: dict) -> None:
    _write(tmp_path, shipped, "a.yaml")
    _fails(_write(tmp_path, shipped, "b.yaml"), "clusters[0]", "already has a pledge for 2026 in a.yaml")


def test_member_targets_are_for_member_units(tmp_path: Path, shipped: dict) -> None:
    data = copy.deepcopy(shipped)
    data["member_targets"]["Q_HOAN_KIEM"] = data["member_targets"].pop("SO_YT")
    _fails(_write(tmp_path, data), "member_targets.Q_HOAN_KIEM", "not a member")


def test_text_must_be_nfc_and_shares_in_range(tmp_path: Path, shipped: dict) -> None:
    data = copy.deepcopy(shipped)
    data["targets"][0]["text_vi"] = unicodedata.normalize("NFD", data["targets"][0]["text_vi"])
    _fails(_write(tmp_path, data), "targets[cchc_initiative].text_vi", "NFC")
    data = copy.deepcopy(shipped)
    data["regulation"]["ballot_quorum"] = 1.5
    _fails(_write(tmp_path, data), "regulation.ballot_quorum", "less than or equal to 1")


def test_shipped_council_has_fifteen_members_with_accounts() -> None:
    council = load_council()
    members = council[0].members
    assert council[0].year == 2026 and len(members) == 15
    assert len({m.username for m in members}) == 15
    assert "hd.thanhvien" in {m.username for m in members}  # the demo account of role council_member


def test_council_file_errors_name_the_entry(tmp_path: Path) -> None:
    data = yaml.safe_load(COUNCIL_FILE.read_text(encoding="utf-8"))
    data["council"][0]["members"][3]["username"] = data["council"][0]["members"][2]["username"]
    file = tmp_path / "council.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_council(file)
    assert caught.value.entry == "council[0].members[3].username" and "members[2]" in caught.value.problem
    data["council"][0]["members"][3]["username"] = "hd.khac"
    data["council"][0]["members"][3]["unit"] = "SO_KHONG_CO"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_council(file)
    assert caught.value.entry == "council[0].members[3].unit"
