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
from syntheses.models import Report, Scope
from syntheses.reports import current_report_start, report_request
from syntheses.selectors import Filters, scope_get
from syntheses.services import syntheses_recompute_all
from territories.models import CoordinationGroup
from wikispiral.accounts.selectors import user_by_username


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
        self._reports(summary.facilitated)
        self._current_reports(summary.facilitated)

    def _current_reports(self, group_ids: list[int]) -> None:
        """The current reports of the network and of the demo facilitator's countries, as the
        worker draws them after figures change (with tasks inline nothing schedules them: the
        demo starts them here). current_report_start leaves a scope with a recent one alone."""
        countries = sorted(
            set(
                CoordinationGroup.objects.filter(pk__in=group_ids).values_list(
                    "country_id", flat=True
                )
            )
        )
        started = [
            current_report_start(scope=Scope.NETWORK, scope_id=0),
            *(current_report_start(scope=Scope.COUNTRY, scope_id=pk) for pk in countries),
        ]
        count = sum(1 for report in started if report is not None)
        if count:
            self.stdout.write(f"Current reports started: {count} (the network and its countries).")

    def _reports(self, group_ids: list[int]) -> None:
        """A published report of each of the demo facilitator's groups, in the group's
        language, asked for as she would (drawn at once when tasks run inline, else by a
        worker). A group that has one already is left as it is."""
        facilitator = user_by_username(username="facilitator")
        languages = {code for code, _name in settings.LANGUAGES}
        asked = []
        for group in CoordinationGroup.objects.filter(pk__in=group_ids).order_by("name"):
            if Report.objects.filter(
                scope=Scope.COORDINATION_GROUP, scope_id=group.pk, status=Report.Status.DONE
            ).exists():
                continue
            language = next((code for code in group.languages if code in languages), "en")
            report_request(
                ref=scope_get(f"{Scope.COORDINATION_GROUP}-{group.pk}"),
                language=language,
                filters=Filters(),
                actor=facilitator,
            )
            asked.append(group.name)
        if asked:
            self.stdout.write(f"Reports asked for: {', '.join(asked)}.")

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
