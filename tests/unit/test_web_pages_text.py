"""The pages' own text: diagrams drawn from the machines (labels in the page's language, the
current state marked, the universal withdraw/expire arrows optional) and the page words
(every key in both languages, Vietnamese in NFC)."""

from __future__ import annotations

import unicodedata

import pytest

from service.web.diagrams import LABELS, diagram
from service.web.i18n import WORDS
from workflow.machines import MACHINES


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_diagram_names_every_state_in_the_language(machine: str) -> None:
    for lang, side in (("vi", 0), ("en", 1)):
        text = diagram(machine, lang, None)
        for state, pair in LABELS[machine].items():
            assert f'"{pair[side]}" as {state}' in text
        assert "classDef current" not in text


def test_diagram_marks_the_current_state_and_hides_universal_arrows() -> None:
    text = diagram("nomination", "vi", "returned")
    assert text.rstrip().endswith("class returned current")
    assert "Rút hồ sơ" not in text and "--> withdrawn" not in text
    assert "returned --> received : Nộp lại hồ sơ đã bổ sung" in text
    full = diagram("nomination", "en", "nope", everything=True)
    assert "--> withdrawn : Withdraw" in full and "classDef current" not in full


def test_page_words_are_in_both_languages_and_nfc() -> None:
    for key, (vi, en) in WORDS.items():
        assert vi and en, key
        assert unicodedata.normalize("NFC", vi) == vi, key


def test_prefect_ui_follows_the_api_url_tdkt_up_sets() -> None:
    from service.web.settings import DEFAULT_PREFECT_UI, WebSettings

    assert WebSettings(prefect_api_url="http://127.0.0.1:4300/api").prefect_ui == "http://127.0.0.1:4300"
    assert WebSettings(prefect_ui_url="http://ui:1/").prefect_api == "http://ui:1/api"
    assert WebSettings(prefect_ui_url=None, prefect_api_url=None).prefect_ui == DEFAULT_PREFECT_UI
