"""The list pages' pager ("phân trang"): the first and last pages, a few around the current one,
and a gap between, instead of a link to every page (200 of them at the lists' count cap, which
nobody reads)."""

from __future__ import annotations

AROUND = 2  # pages shown on each side of the current one


def pager(page: int, pages: int, *, last_known: bool = True) -> list[int | None]:
    """The page numbers (0-based) to link, in order, ``None`` where a run of pages is left out.

    ``last_known=False`` when the count stopped at the cap (``pages`` is then a lower bound):
    the last page is not offered, the pages around the current one and "next" still are."""
    if pages <= 1 and last_known:
        return []
    pages = pages if last_known else max(pages, page + 1)  # pages past the cap: only those reached
    shown = {0, *range(max(0, page - AROUND), min(pages, page + AROUND + 1))}
    if last_known:
        shown.add(pages - 1)
    links: list[int | None] = []
    previous = None
    for p in sorted(shown):
        if previous is not None and p - previous == 2:
            links.append(p - 1)  # a gap of one page: the page itself is as short as "…"
        elif previous is not None and p - previous > 2:
            links.append(None)
        links.append(p)
        previous = p
    return links
