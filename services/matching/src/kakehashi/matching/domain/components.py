"""The score's components: the one list that weights, learning features, schemas and labels
are derived from. A component's arithmetic lives in `scoring.py`, under the same name."""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.matching.domain.reasons import N_


@dataclass(frozen=True)
class Component:
    """One part of the score in [0, 1]: its name (API field, feature), label and default weight."""

    name: str
    label: str  # message id of the console's label
    default_weight: float


COMPONENTS: tuple[Component, ...] = (
    Component("skills", N_("Skills"), 0.5),
    Component("japanese", N_("Japanese"), 0.2),
    Component("experience", N_("Experience"), 0.15),
    Component("preferences", N_("Preferences"), 0.15),
)
COMPONENT_NAMES: tuple[str, ...] = tuple(c.name for c in COMPONENTS)


class Weights:
    """Relative weights of the score components (normalised to sum to 1), by position in
    COMPONENTS or by name; a component not given keeps its default weight."""

    __slots__ = ("_values",)

    def __init__(self, *values: float, **named: float) -> None:
        if len(values) > len(COMPONENTS):
            raise TypeError(f"Weights takes at most {len(COMPONENTS)} positional weights")
        given = dict(zip(COMPONENT_NAMES, values, strict=False))
        unknown = set(named) - set(COMPONENT_NAMES)
        if unknown or set(named) & set(given):
            raise TypeError(f"unknown or repeated score components: {sorted(named)}")
        given |= named
        self._values = {c.name: float(given.get(c.name, c.default_weight)) for c in COMPONENTS}

    def __getattr__(self, name: str) -> float:
        values: dict[str, float] = object.__getattribute__(self, "_values")
        if name not in values:
            raise AttributeError(name)
        return values[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Weights) and other._values == self._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.values()))

    def __repr__(self) -> str:
        return "Weights(" + ", ".join(f"{k}={v:g}" for k, v in self._values.items()) + ")"

    def normalised(self) -> dict[str, float]:
        """Each component's share of the score, in COMPONENTS' order."""
        raw = self._values
        total = sum(raw.values())
        if total <= 0 or min(raw.values()) < 0:
            raise ValueError("score weights must be non-negative and at least one positive")
        return {name: value / total for name, value in raw.items()}
