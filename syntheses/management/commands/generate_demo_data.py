"""Generate a realistic demo network with criteria (see criteria/demo.py), then its syntheses.

The command lives in syntheses, not criteria, because it computes the syntheses of what it
generated and criteria (the floor below) never imports syntheses.

    manage.py generate_demo_data --criteria 600            # what `make run` loads
    manage.py generate_demo_data --criteria 100000 --seed 7 --groups 300
    manage.py generate_demo_data --reset --criteria 0      # remove the demo data only

Safe to run again: when demo data is there, nothing is added (use --reset to replace it).
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.demo import demo_existing, demo_generate, demo_remove
from syntheses.services import syntheses_recompute_all


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create demo countries, coordination groups, homogeneous groups and criteria (en, fr, pt) "
        "over every component of the current grid. Local and benchmark use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--criteria",
            type=_non_negative,
            default=600,
            help="How many criteria to generate (default 600; 0 with --reset only removes).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed, the same data."
        )
        parser.add_argument(
            "--groups",
            type=_non_negative,
            default=None,
            help="How many coordination groups (default: one per four homogeneous groups).",
        )
        parser.add_argument("--reset", action="store_true", help="Remove earlier demo data first.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo groups would show on a real site).",
        )

    def handle(
        self,
        *args: Any,
        criteria: int,
        seed: int,
        groups: int | None,
        reset: bool,
        force: bool,
        **options: Any,
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to generate demo data: DEBUG is off, so this looks like a real site. "
                "Use --force if you mean it (a benchmark database, for instance)."
            )
        started = time.perf_counter()
        if reset:
            removed = demo_remove()
            if removed:
                self.stdout.write(f"Removed {removed:,} demo coordination groups.")
        else:
            existing = demo_existing()
            if existing is not None:
                self.stdout.write(
                    f"Demo data is already there: {existing.line()}. Nothing added "
                    "(use --reset to generate it again)."
                )
                return
        if criteria == 0:
            return
        summary = demo_generate(
            criteria=criteria,
            seed=seed,
            platforms=groups or None,
            progress=self._progress if options.get("verbosity", 1) > 1 else None,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Demo data generated in {elapsed:.1f} s: {summary.line()}.")
        # The syntheses of the new groups and of every place above them, at once (the nightly
        # job would do it too, but a demo should show them now).
        started = time.perf_counter()
        check = syntheses_recompute_all()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Syntheses computed in {elapsed:.1f} s: {check.recomputed:,} snapshots.")

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
