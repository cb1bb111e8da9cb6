"""The list pages' pager: first, last, the current page's neighbours, gaps as None."""

import pytest

from service.web.pager import pager


@pytest.mark.parametrize(("page", "pages", "expected"), [
    (0, 0, []),
    (0, 1, []),
    (0, 2, [0, 1]),
    (0, 7, [0, 1, 2, None, 6]),
    (3, 7, [0, 1, 2, 3, 4, 5, 6]),  # a gap of one page shows that page instead of "…"
    (100, 200, [0, None, 98, 99, 100, 101, 102, None, 199]),
    (199, 200, [0, None, 197, 198, 199]),
    (4, 10, [0, 1, 2, 3, 4, 5, 6, None, 9]),
])
def test_pager_links(page: int, pages: int, expected: list) -> None:  # type: ignore[type-arg]
    assert pager(page, pages) == expected


def test_a_page_beyond_the_last_still_links_back() -> None:
    assert pager(300, 200)[:2] == [0, None] and pager(300, 200)[-1] == 199


def test_past_the_count_cap_the_last_page_is_not_offered() -> None:
    assert pager(0, 200, last_known=False) == [0, 1, 2]
    assert pager(199, 200, last_known=False) == [0, None, 197, 198, 199]
    assert pager(250, 200, last_known=False) == [0, None, 248, 249, 250]
