"""Calibration of the reply scorer against the trainers: Cohen's kappa per criterion.

Pure: no Flask, no database. A trainer marks an ended call as reviewed; from then on every
criterion of its turns is one *rating*: the machine's verdict and the trainer's (the machine
verdict where the trainer did not override it, the override where they did). Ratings are grouped
by *criterion*:

* an element category (``greeting``, ``empathy`` …): every requirement of that category;
* a violation category (``violation.forbidden_phrase`` …): every turn, once per category — the
  machine found it or not, the trainer dismissed it, confirmed it, or added one the machine missed;
* ``key_point``: every key point of every scenario, pooled; and, separately, each scenario's key
  point on its own (scenario, turn, key, description).

Per criterion, overall and per calendar month of review, we report n, the observed agreement and
Cohen's kappa: κ = (p_o − p_e) / (1 − p_e), where p_o is the share of ratings on which machine and
trainer agree and p_e the agreement expected by chance from each side's own share of "passed".

κ compares two raters who both use both verdicts. When either side gave the same verdict on every
rating (an easy greeting is met in every call; no trainer has ever disagreed on jargon), κ is 0 or 0/0 whatever the agreement, so it is reported as undefined (``None``) and
only the agreement is shown. Such a criterion is never flagged.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .call import VIOLATION_KEY_PREFIX, Criterion
from .norms import ELEMENT_CATEGORIES, VIOLATION_CATEGORIES

KEY_POINT = "key_point"
KEY_POINT_PREFIX = "key_point_"
#: Display order of the criteria: elements, pooled key points, violations; unknown ones last.
CRITERIA_ORDER = (*ELEMENT_CATEGORIES, KEY_POINT, *(VIOLATION_KEY_PREFIX + c for c in VIOLATION_CATEGORIES))

DEFAULT_KAPPA_THRESHOLD = 0.6
DEFAULT_MIN_N = 10


@dataclass(frozen=True, order=True)
class KeyPointRef:
    """One key point of one scenario: the turn it belongs to, its key and its description."""

    scenario_id: str
    turn: int
    key: str  # "key_point_1"
    label: str  # the trainer's description of the key point


@dataclass(frozen=True)
class Rating:
    """One criterion of one turn of a reviewed call: the machine's verdict and the trainer's."""

    criterion: str  # "greeting", "violation.jargon", "key_point"
    machine: bool  # passed (a requirement met, a violation dismissed)
    trainer: bool
    month: str  # calendar month of the review, "2026-03"
    key_point: KeyPointRef | None = None


@dataclass(frozen=True)
class Agreement:
    """The 2×2 table of machine against trainer, summarised."""

    n: int = 0
    agreed: int = 0
    machine_passed: int = 0
    trainer_passed: int = 0

    @classmethod
    def of(cls, pairs: Iterable[tuple[bool, bool]]) -> "Agreement":
        """From (machine, trainer) pairs."""
        n = agreed = machine_passed = trainer_passed = 0
        for machine, trainer in pairs:
            n += 1
            agreed += machine == trainer
            machine_passed += machine
            trainer_passed += trainer
        return cls(n, agreed, machine_passed, trainer_passed)

    def __add__(self, other: "Agreement") -> "Agreement":
        return Agreement(self.n + other.n, self.agreed + other.agreed,
                         self.machine_passed + other.machine_passed, self.trainer_passed + other.trainer_passed)

    @property
    def observed(self) -> float | None:
        """p_o: the share of ratings on which both agree (None without ratings)."""
        return self.agreed / self.n if self.n else None

    @property
    def expected(self) -> float | None:
        """p_e: the agreement expected by chance from the two sides' shares of "passed"."""
        if not self.n:
            return None
        machine, trainer = self.machine_passed / self.n, self.trainer_passed / self.n
        return machine * trainer + (1 - machine) * (1 - trainer)

    @property
    def one_sided(self) -> bool:
        """Either side gave the same verdict on every rating: κ says nothing then."""
        return any(count in (0, self.n) for count in (self.machine_passed, self.trainer_passed))

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa, or None when undefined (no ratings, or one side used a single verdict)."""
        if not self.n or self.one_sided:
            return None
        # (p_o - p_e) / (1 - p_e) multiplied through by n², in integers: one rounding only, so a
        # kappa of exactly the threshold is not flagged by a float error.
        n, machine, trainer = self.n, self.machine_passed, self.trainer_passed
        chance = machine * trainer + (n - machine) * (n - trainer)
        return (self.agreed * n - chance) / (n * n - chance)

    def flagged(self, threshold: float, min_n: int) -> bool:
        """κ below the threshold on at least ``min_n`` ratings."""
        kappa = self.kappa
        return self.n >= min_n and kappa is not None and kappa < threshold


@dataclass(frozen=True)
class CriterionCalibration:
    criterion: str
    overall: Agreement
    by_month: Mapping[str, Agreement]
    flagged: bool
    key_point: KeyPointRef | None = None

    @property
    def category(self) -> str:
        """The norms category name (without the ``violation.`` prefix), or ``key_point``."""
        return self.criterion.removeprefix(VIOLATION_KEY_PREFIX)

    @property
    def is_violation(self) -> bool:
        return self.criterion.startswith(VIOLATION_KEY_PREFIX)

    def month(self, month: str) -> Agreement:
        """The figures of one calendar month of review (empty when nothing was reviewed then)."""
        return self.by_month.get(month, Agreement())


@dataclass(frozen=True)
class Calibration:
    criteria: tuple[CriterionCalibration, ...]  # element and violation categories, pooled key points
    key_points: tuple[CriterionCalibration, ...]  # each scenario's key points
    months: tuple[str, ...]  # every month with a review, oldest first
    threshold: float
    min_n: int

    @property
    def flagged(self) -> tuple[CriterionCalibration, ...]:
        return tuple(c for c in (*self.criteria, *self.key_points) if c.flagged)

    @property
    def n(self) -> int:
        """Ratings in all (each counted once, in its category or the pooled key points)."""
        return sum(c.overall.n for c in self.criteria)


def criterion_of(key: str) -> str:
    """The calibration criterion of a turn criterion key: key points pool into ``key_point``."""
    return KEY_POINT if key.startswith(KEY_POINT_PREFIX) else key


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def ratings_of_call(scenario_id: str, month: str, turns: Iterable[tuple[int, Iterable[Criterion]]],
                    overrides: Mapping[tuple[int, str], bool]) -> list[Rating]:
    """The ratings of one reviewed call: ``turns`` are (turn index, the machine's criteria) and
    ``overrides`` the latest trainer decision per (turn index, criterion key)."""
    ratings = []
    for index, criteria in turns:
        criteria = tuple(criteria)
        for criterion in criteria:
            machine = criterion.machine_passed
            trainer = overrides.get((index, criterion.key), machine)
            name = criterion_of(criterion.key)
            key_point = KeyPointRef(scenario_id, index, criterion.key, criterion.label) if name == KEY_POINT else None
            ratings.append(Rating(name, machine, trainer, month, key_point))
        found = {criterion.key for criterion in criteria}
        for category in VIOLATION_CATEGORIES:  # not found by the machine: "passed", unless a trainer found it
            key = VIOLATION_KEY_PREFIX + category
            if key not in found:
                ratings.append(Rating(key, True, overrides.get((index, key), True), month))
    return ratings


def calibrate(ratings: Iterable[Rating], threshold: float = DEFAULT_KAPPA_THRESHOLD,
              min_n: int = DEFAULT_MIN_N) -> Calibration:
    """Agreement and κ per criterion (and per scenario key point), overall and per month."""
    by_criterion: dict[str, dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    by_key_point: dict[KeyPointRef, dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    months = set()
    for rating in ratings:
        pair = (rating.machine, rating.trainer)
        by_criterion[rating.criterion][rating.month].append(pair)
        if rating.key_point is not None:
            by_key_point[rating.key_point][rating.month].append(pair)
        months.add(rating.month)

    def summarise(criterion: str, monthly: dict[str, list[tuple[bool, bool]]], key_point=None) -> CriterionCalibration:
        by_month = {month: Agreement.of(monthly[month]) for month in sorted(monthly)}
        overall = sum(by_month.values(), Agreement())
        return CriterionCalibration(criterion, overall, by_month, overall.flagged(threshold, min_n), key_point)

    order = {name: position for position, name in enumerate(CRITERIA_ORDER)}
    criteria = tuple(summarise(name, by_criterion[name])
                     for name in sorted(by_criterion, key=lambda name: (order.get(name, len(order)), name)))
    key_points = tuple(summarise(KEY_POINT, by_key_point[ref], ref) for ref in sorted(by_key_point))
    return Calibration(criteria, key_points, tuple(sorted(months)), threshold, min_n)
