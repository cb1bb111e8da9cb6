"""The award catalogue: the shipped rule sets, ``extends`` merging, and every load-time check."""

from __future__ import annotations

import copy
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from config.catalogue import RULESETS_DIR, SLA_KEYS, Catalogue, catalogue, load_catalogue
from config.errors import ConfigError
from workflow.route import Route, Step

# --- helpers


def _base() -> dict:
    """The shipped 2024.1 rule set as a plain dict, to modify per test."""
    return yaml.safe_load((RULESETS_DIR / "2024.1.yaml").read_text(encoding="utf-8"))


def _write(directory: Path, name: str, data: Any) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _award(data: dict, code: str) -> tuple[int, dict]:
    for i, award in enumerate(data["awards"]):
        if award["code"] == code:
            return i, award
    raise KeyError(code)


def _raises(directory: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_catalogue(directory)
    return info.value


def _strings(value: Any) -> list[str]:
    """Every string inside a nested structure of dicts, lists and scalars (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


# --- shipped data


def test_shipped_catalogue_loads_with_both_versions():
    cat = load_catalogue()
    assert isinstance(cat, Catalogue)
    assert [r.version for r in cat.rulesets] == ["2024.1", "2025.7"]
    assert cat.version("2024.1").effective_from == date(2024, 1, 1)
    assert cat.version("2024.1").effective_to == date(2025, 6, 30)
    assert cat.version("2025.7").effective_from == date(2025, 7, 1)
    assert cat.version("2025.7").effective_to is None
    with pytest.raises(KeyError):
        cat.version("1999.1")


def test_cached_catalogue_is_loaded_once():
    assert catalogue() is catalogue()
    assert [r.version for r in catalogue().rulesets] == ["2024.1", "2025.7"]


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (date(2024, 1, 1), "2024.1"),
        (date(2025, 6, 30), "2024.1"),
        (date(2025, 7, 1), "2025.7"),
        (date(2040, 12, 31), "2025.7"),
    ],
)
def test_in_force_switches_on_2025_07_01(day, version):
    assert catalogue().in_force(day).version == version


def test_in_force_before_the_first_rule_set_raises():
    with pytest.raises(LookupError, match="2023-12-31"):
        catalogue().in_force(date(2023, 12, 31))


def test_extends_inherits_unlisted_awards_and_sections():
    old, new = catalogue().version("2024.1"), catalogue().version("2025.7")
    assert old.award("BK_TP") == new.award("BK_TP")
    assert {a.code for a in old.awards} == {a.code for a in new.awards}
    # Sections that 2025.7 does not list are the parent's.
    assert new.documents == old.documents
    assert new.history_titles == old.history_titles
    assert new.default_sla == old.default_sla


def test_extends_overrides_listed_awards_field_by_field():
    old, new = catalogue().version("2024.1"), catalogue().version("2025.7")
    old_cstd, new_cstd = old.award("CSTD_TP"), new.award("CSTD_TP")
    assert "152/2025" in new_cstd.council_vote.citation
    assert "152/2025" not in old_cstd.council_vote.citation
    assert "98/2023" in old_cstd.council_vote.citation
    # Fields the override does not list stay the parent's.
    assert new_cstd.routes == old_cstd.routes
    assert new_cstd.name_vi == old_cstd.name_vi
    assert new_cstd.dossier == old_cstd.dossier
    assert new_cstd.eligibility == old_cstd.eligibility
    assert "152/2025" in new.award("CSTD_TQ").council_vote.citation


def test_legal_basis_follows_the_version():
    old, new = catalogue().version("2024.1"), catalogue().version("2025.7")
    assert any("152/2025" in basis for basis in new.legal_basis)
    assert not any("98/2023" in basis for basis in new.legal_basis)
    assert any("98/2023" in basis for basis in old.legal_basis)
    assert not any("152/2025" in basis for basis in old.legal_basis)


def test_every_route_builds_and_cluster_track_matches_cluster_ballot():
    with_cluster = without_cluster = 0
    for ruleset in catalogue().rulesets:
        for award in ruleset.awards:
            for track in award.routes:
                route = award.route(track)
                assert isinstance(route, Route)
                assert [s.value for s in route.steps] == award.routes[track]
            has_ballot = any(Step.CLUSTER_BALLOT.value in steps for steps in award.routes.values())
            assert ("cluster" in award.routes) == has_ballot, award.code
            if "cluster" in award.routes:
                assert Step.CLUSTER_BALLOT in award.route("cluster")
                assert award.cluster_ballot is not None
                with_cluster += 1
            else:
                assert award.cluster_ballot is None
                without_cluster += 1
            if "unit" in award.routes:
                assert Step.CLUSTER_BALLOT not in award.route("unit")
    # Both kinds exist in the shipped data, so the check above is not vacuous.
    assert with_cluster and without_cluster


def test_known_cluster_awards():
    ruleset = catalogue().version("2024.1")
    cluster_awards = {a.code for a in ruleset.awards if "cluster" in a.routes}
    assert cluster_awards == {"CO_TD_CP", "CO_TD_TP", "BK_TP"}


def test_sla_days_falls_back_to_default_and_uses_award_override():
    for version in ("2024.1", "2025.7"):
        ruleset = catalogue().version(version)
        dot_xuat, bk_tp = ruleset.award("DOT_XUAT"), ruleset.award("BK_TP")
        assert ruleset.default_sla["appraisal"] == 20
        assert ruleset.sla_days(dot_xuat, "appraisal") == 5
        assert ruleset.sla_days(dot_xuat, "signature") == 3
        assert ruleset.sla_days(dot_xuat, "completion") == 3
        assert ruleset.sla_days(dot_xuat, "consultation") == ruleset.default_sla["consultation"]
        assert ruleset.sla_days(bk_tp, "appraisal") == 20
        for key in SLA_KEYS:
            assert ruleset.sla_days(bk_tp, key) == ruleset.default_sla[key] > 0


def test_every_marked_figure_has_a_citation():
    for ruleset in catalogue().rulesets:
        for award in ruleset.awards:
            assert award.citation.strip(), award.code
            for rule in (award.council_vote, award.cluster_ballot, award.quota):
                if rule is not None:
                    assert len(rule.citation.strip()) >= 3, award.code
            for kind, conditions in award.eligibility.items():
                for condition in conditions:
                    assert str(condition.get("citation", "")).strip(), (award.code, kind, condition.get("id"))
        for code, document in ruleset.documents.items():
            assert document.citation.strip(), code
        assert all(basis.strip() for basis in ruleset.legal_basis)


def test_council_rules_present_exactly_where_the_route_has_a_council():
    for ruleset in catalogue().rulesets:
        for award in ruleset.awards:
            has_council = any("council" in steps for steps in award.routes.values())
            assert (award.council_vote is not None) == has_council, award.code


def test_every_vietnamese_text_is_nfc():
    texts: list[str] = []
    for ruleset in catalogue().rulesets:
        texts += _strings(ruleset.model_dump(mode="json"))
    vietnamese = [t for t in texts if not t.isascii()]
    assert len(vietnamese) > 20  # not vacuous: the names are Vietnamese
    assert "Chiến sĩ thi đua thành phố" in texts
    not_nfc = [t for t in texts if not unicodedata.is_normalized("NFC", t)]
    assert not_nfc == []
    for path in sorted(RULESETS_DIR.glob("*.yaml")):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path.name


def test_names_are_nfc_explicitly():
    for ruleset in catalogue().rulesets:
        names = [ruleset.name_vi]
        names += [a.name_vi for a in ruleset.awards]
        names += [d.name_vi for d in ruleset.documents.values()]
        names += [t.name_vi for t in ruleset.history_titles.values()]
        for name in names:
            assert name and unicodedata.is_normalized("NFC", name), name
    # The check itself can fail: a decomposed name is detected.
    assert not unicodedata.is_normalized("NFC", unicodedata.normalize("NFD", "Bằng khen"))


# --- a copy of the shipped data is valid, so each failing case below fails for its own reason


def test_copied_base_loads(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())
    cat = load_catalogue(tmp_path)
    assert [r.version for r in cat.rulesets] == ["2024.1"]
    assert cat.version("2024.1") == catalogue().version("2024.1")


def test_copied_base_with_child_loads(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())
    _write(tmp_path, "2025.7.yaml", yaml.safe_load((RULESETS_DIR / "2025.7.yaml").read_text(encoding="utf-8")))
    cat = load_catalogue(tmp_path)
    assert [r.version for r in cat.rulesets] == ["2024.1", "2025.7"]


# --- failure cases in one file: (modification, award code or None, expected fragments of the message)


def _set_routes(code: str, routes: dict) -> Callable[[dict], None]:
    return lambda d: _award(d, code)[1].__setitem__("routes", routes)


SINGLE_FILE_CASES = [
    pytest.param(
        _set_routes("CSTD_TP", {"unit": ["council", "appraisal", "signature"]}),
        "CSTD_TP", "routes", ["out of legal order", "council"],
        id="steps-out-of-order",
    ),
    pytest.param(
        _set_routes("CSTD_TP", {"unit": ["appraisal", "vote", "council", "signature"]}),
        "CSTD_TP", "routes", ["unknown step", "vote"],
        id="unknown-step",
    ),
    pytest.param(
        _set_routes("CSTD_TP", {"unit": ["appraisal", "council"]}),
        "CSTD_TP", "routes", ["signature"],
        id="missing-mandatory-signature",
    ),
    pytest.param(
        lambda d: _award(d, "CSTD_TP")[1].pop("council_vote"),
        "CSTD_TP", None, ["council_vote"],
        id="council-without-council-vote",
    ),
    pytest.param(
        lambda d: _award(d, "TTLDXS")[1].update(
            routes={"unit": ["cluster_ballot", "appraisal", "signature"]},
            cluster_ballot={"threshold": 0.5, "denominator": "all", "self_vote_allowed": False,
                            "citation": "Quyết định 32/2024/QĐ-UBND"},
        ),
        "TTLDXS", "routes", ["cluster_ballot", "cluster track"],
        id="cluster-ballot-on-unit-track",
    ),
    pytest.param(
        lambda d: _award(d, "TTLDXS")[1]["dossier"]["collective"].append("giay_to_la"),
        "TTLDXS", None, ["unknown document", "giay_to_la"],
        id="unknown-dossier-document",
    ),
    pytest.param(
        lambda d: _award(d, "DOT_XUAT")[1]["sla"].__setitem__("vote", 3),
        "DOT_XUAT", "sla", ["unknown SLA step", "vote"],
        id="sla-unknown-key",
    ),
    pytest.param(
        lambda d: _award(d, "DOT_XUAT")[1]["sla"].__setitem__("appraisal", 0),
        "DOT_XUAT", "sla", ["positive"],
        id="sla-zero-days",
    ),
    pytest.param(
        lambda d: d["awards"].append(copy.deepcopy(_award(d, "BK_TP")[1])),
        None, None, ["listed twice", "BK_TP"],
        id="duplicate-award-code",
    ),
    pytest.param(
        lambda d: d.update(effective_to=date(2023, 12, 31)),
        None, None, ["effective_to is before effective_from"],
        id="effective-to-before-from",
    ),
    pytest.param(
        lambda d: _award(d, "CSTD_TP")[1]["council_vote"].update(citation=""),
        "CSTD_TP", "council_vote", ["citation"],
        id="council-vote-without-citation",
    ),
    pytest.param(
        lambda d: _award(d, "BK_TP")[1]["quota"].pop("citation"),
        "BK_TP", "quota", ["citation"],
        id="quota-without-citation",
    ),
    pytest.param(
        lambda d: _award(d, "BK_TP")[1].pop("citation"),
        "BK_TP", "citation", ["Field required"],
        id="award-without-citation",
    ),
    pytest.param(
        lambda d: d["default_sla"].pop("central"),
        None, None, ["default_sla", "central"],
        id="default-sla-lacks-a-step",
    ),
]


@pytest.mark.parametrize(("mutate", "code", "field", "fragments"), SINGLE_FILE_CASES)
def test_invalid_rule_set_names_file_and_entry(tmp_path, mutate, code, field, fragments):
    data = _base()
    mutate(data)
    path = _write(tmp_path, "2024.1.yaml", data)

    error = _raises(tmp_path)

    assert error.file == str(path)
    assert error.entry.startswith("2024.1")
    message = str(error)
    assert message.startswith(str(path))
    if code is not None:
        # The entry or the message names the award by its code.
        assert f"awards[{code}]" in error.entry or code in message, message
    if field is not None:
        assert field in error.entry or field in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_version(tmp_path):
    data = _base()
    del data["version"]
    path = _write(tmp_path, "2024.1.yaml", data)
    error = _raises(tmp_path)
    assert error.file == str(path)
    assert error.entry == "version"
    assert "missing" in str(error)


def test_invalid_yaml(tmp_path):
    path = tmp_path / "2024.1.yaml"
    path.write_text('version: "2024.1"\nawards: [\n  - code: X\n', encoding="utf-8")
    error = _raises(tmp_path)
    assert error.file == str(path)
    assert error.entry == "(file)"
    assert "not valid YAML" in str(error)


def test_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "2024.1.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    error = _raises(tmp_path)
    assert error.file == str(path)
    assert error.entry == "version"


def test_empty_directory(tmp_path):
    error = _raises(tmp_path)
    assert error.file == str(tmp_path)
    assert "no rule set files" in str(error)


def _child(version: str, extends: str | None, effective_from: date, **extra) -> dict:
    data: dict[str, Any] = {"version": version}
    if extends is not None:
        data["extends"] = extends
    data.update(
        name_vi=f"Quy định {version}",
        name_en=f"Rules {version}",
        effective_from=effective_from,
        effective_to=None,
        legal_basis=["Nghị định số 152/2025/NĐ-CP"],
        **extra,
    )
    return data


def test_overlapping_effective_ranges(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())  # 2024-01-01 .. 2025-06-30
    newer = _write(tmp_path, "2025.6.yaml", _child("2025.6", "2024.1", date(2025, 6, 1)))
    error = _raises(tmp_path)
    assert error.file == str(newer)
    assert error.entry == "effective_from"
    assert "overlaps" in str(error) and "'2024.1'" in str(error)


def test_open_ended_older_rule_set_overlaps(tmp_path):
    base = _base()
    base["effective_to"] = None
    _write(tmp_path, "2024.1.yaml", base)
    newer = _write(tmp_path, "2025.7.yaml", _child("2025.7", "2024.1", date(2025, 7, 1)))
    error = _raises(tmp_path)
    assert error.file == str(newer)
    assert "open-ended" in str(error)


def test_adjacent_ranges_do_not_overlap(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())
    _write(tmp_path, "2025.7.yaml", _child("2025.7", "2024.1", date(2025, 7, 1)))
    cat = load_catalogue(tmp_path)
    assert cat.in_force(date(2025, 6, 30)).version == "2024.1"
    assert cat.in_force(date(2025, 7, 1)).version == "2025.7"


def test_extends_unknown_version(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())
    child = _write(tmp_path, "2025.7.yaml", _child("2025.7", "2023.9", date(2025, 7, 1)))
    error = _raises(tmp_path)
    assert error.file == str(child)
    assert error.entry == "extends"
    assert "'2023.9'" in str(error) and "2024.1" in str(error)


def test_circular_extends(tmp_path):
    base = _base()
    base["extends"] = "2025.7"
    _write(tmp_path, "2024.1.yaml", base)
    _write(tmp_path, "2025.7.yaml", _child("2025.7", "2024.1", date(2025, 7, 1)))
    error = _raises(tmp_path)
    assert error.entry == "extends"
    assert "circular" in str(error)


def test_same_version_in_two_files(tmp_path):
    _write(tmp_path, "a.yaml", _base())
    second = _write(tmp_path, "b.yaml", _base())
    error = _raises(tmp_path)
    assert error.file == str(second)
    assert error.entry == "version"
    assert "a.yaml" in str(error)


def test_child_award_error_names_the_child_file(tmp_path):
    _write(tmp_path, "2024.1.yaml", _base())
    child = _write(
        tmp_path,
        "2025.7.yaml",
        _child("2025.7", "2024.1", date(2025, 7, 1),
               awards=[{"code": "CSTD_TP", "routes": {"unit": ["signature", "appraisal"]}}]),
    )
    error = _raises(tmp_path)
    assert error.file == str(child)
    assert error.entry.startswith("2025.7.awards[CSTD_TP]")
    assert "out of legal order" in str(error)
