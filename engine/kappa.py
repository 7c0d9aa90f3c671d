"""Agreement between two raters over the ordered statuses: percent agreement and Cohen's kappa.

The categories are ordered met > substantially met > partially met > not met. Disagreement weights
are linear (|i - j| / 3) or quadratic ((i - j)² / 9), so calling a met rule "partially met" costs less
than calling it "not met"; with both raters' statuses the only input, kappa corrects the observed
agreement for the agreement their own status frequencies would give by chance.

Only pairs where both raters gave one of the four rated statuses count. Not applicable and unanswered
are not points on the scale; comparisons report them in a separate table instead.

Convention: when chance disagreement is zero (both raters put every rule in the same single status),
the observed disagreement is zero too and kappa is reported as 1.0; with no rated pair it is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

RATED = ("met", "substantially_met", "partially_met", "not_met")
Weights = Literal["linear", "quadratic", "none"]


def disagreement_weight(i: int, j: int, weights: Weights, k: int = len(RATED)) -> float:
    if weights == "none":
        return 0.0 if i == j else 1.0
    distance = abs(i - j) / (k - 1)
    return distance if weights == "linear" else distance * distance


def cohen_kappa(pairs: Sequence[tuple[str, str]], weights: Weights = "none") -> float | None:
    """Cohen's kappa (weighted unless weights='none') over (rater 1, rater 2) rated-status pairs."""
    n = len(pairs)
    if n == 0:
        return None
    k = len(RATED)
    index = {status: i for i, status in enumerate(RATED)}
    observed = [[0.0] * k for _ in range(k)]
    for first, second in pairs:
        observed[index[first]][index[second]] += 1
    rows = [sum(observed[i]) for i in range(k)]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    seen = expected = 0.0
    for i in range(k):
        for j in range(k):
            w = disagreement_weight(i, j, weights)
            seen += w * observed[i][j]
            expected += w * rows[i] * cols[j] / n
    if expected == 0:
        return 1.0
    return 1.0 - seen / expected


def percent_agreement(pairs: Iterable[tuple[str, str]]) -> float | None:
    pairs = list(pairs)
    if not pairs:
        return None
    return 100.0 * sum(1 for a, b in pairs if a == b) / len(pairs)


def rated_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in pairs if a in RATED and b in RATED]


def agreement(pairs: Sequence[tuple[str, str]], weights: Weights) -> dict[str, object]:
    """The agreement figures for one group of rules (a pillar, or all)."""
    rated = rated_pairs(pairs)
    kappa = cohen_kappa(rated)
    weighted = cohen_kappa(rated, weights)
    percent = percent_agreement(rated)
    return {
        "rules": len(pairs),
        "rated_pairs": len(rated),
        "agreeing": sum(1 for a, b in rated if a == b),
        "percent_agreement": None if percent is None else round(percent, 1),
        "kappa": None if kappa is None else round(kappa, 3),
        "weighted_kappa": None if weighted is None else round(weighted, 3),
    }
