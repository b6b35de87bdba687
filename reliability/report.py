"""What a scenario found: its figures (printed as they come), the invariants it checked (a broken one fails
the CI short form) and the goals it missed (shortfalls: printed, never hidden, never a failure by themselves).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from reliability.lab import Lab


@dataclass
class Report:
    """The outcome of one scenario."""

    scenario: str
    invariants: dict[str, bool] = field(default_factory=dict)
    shortfalls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        """A figure or a finding, printed at once (a long run shows its progress)."""
        self.notes.append(line)
        print(line, flush=True)

    def check(self, invariant: str, held: bool) -> bool:
        self.invariants[invariant] = self.invariants.get(invariant, True) and held
        return held

    def goal(self, goal: str, met: bool, seen: str) -> None:
        """A goal of issue 17 against what was seen; a missed one is a shortfall."""
        self.say(f"  goal: {goal}: {'met' if met else 'NOT MET'} ({seen})")
        if not met:
            self.shortfalls.append(f"{goal}: {seen}")

    @property
    def broken(self) -> list[str]:
        return [name for name, held in self.invariants.items() if not held]

    def summary(self) -> str:
        lines = [f"== {self.scenario}: invariants {'HOLD' if not self.broken else 'BROKEN'}"]
        lines += [
            f"  invariant {'ok    ' if held else 'BROKEN'} {name}" for name, held in self.invariants.items()
        ]
        lines += [f"  shortfall: {item}" for item in self.shortfalls]
        return "\n".join(lines)


def main(scenario: Callable[[Lab, bool], Report], description: str) -> None:
    """`python -m reliability.<scenario> [--short]`: run it in a lab of its own and print what it found;
    exit status 1 when an invariant broke (a missed goal alone is reported, exit status 0)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--short", action="store_true", help="The short form (what CI runs).")
    options = parser.parse_args()
    with Lab(demo=not options.short) as lab:
        report = scenario(lab, options.short)
    print(report.summary(), flush=True)
    sys.exit(1 if report.broken else 0)
