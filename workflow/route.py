"""The route of a nomination: which procedural steps its award needs, in legal order.

The steps an award needs come from its catalogue entry (``config/rulesets``); the machine only
asks the route "is this the next step?", so adding consultation to an award is a data change,
never an ``if`` in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Step(StrEnum):
    """A procedural step ("bước") an award may need."""

    CLUSTER_BALLOT = "cluster_ballot"  # suy tôn trong cụm
    APPRAISAL = "appraisal"  # thẩm định
    CONSULTATION = "consultation"  # xin ý kiến / hiệp y
    PUBLIC_NOTICE = "public_notice"  # công khai / lấy ý kiến nhân dân
    COUNCIL = "council"  # Hội đồng TĐKT bỏ phiếu
    SIGNATURE = "signature"  # Chủ tịch UBND TP ký (quyết định hoặc tờ trình chuyển)
    CENTRAL = "central"  # trình Trung ương


# The legal order of the steps; a route is a subsequence of it.
CANONICAL_ORDER: tuple[Step, ...] = tuple(Step)
MANDATORY: frozenset[Step] = frozenset({Step.APPRAISAL, Step.SIGNATURE})


class RouteError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    steps: tuple[Step, ...]

    @classmethod
    def from_steps(cls, steps: list[str] | tuple[str, ...]) -> "Route":
        try:
            parsed = tuple(Step(s) for s in steps)
        except ValueError as exc:
            raise RouteError(f"unknown step: {exc}; known steps: {[s.value for s in Step]}") from None
        if len(set(parsed)) != len(parsed):
            raise RouteError(f"a step is listed twice: {list(steps)}")
        missing = MANDATORY - set(parsed)
        if missing:
            raise RouteError(f"every award needs the steps {sorted(s.value for s in missing)}")
        order = [CANONICAL_ORDER.index(s) for s in parsed]
        if order != sorted(order):
            expected = [s.value for s in CANONICAL_ORDER if s in parsed]
            raise RouteError(f"steps out of legal order: {list(steps)}; expected {expected}")
        return cls(parsed)

    def __contains__(self, step: object) -> bool:
        return step in self.steps

    def next_after(self, step: Step | None) -> Step | None:
        """The step that follows ``step`` (``None`` = before the first board step)."""
        if step is None:
            return self.steps[0]
        idx = self.steps.index(step)
        return self.steps[idx + 1] if idx + 1 < len(self.steps) else None
