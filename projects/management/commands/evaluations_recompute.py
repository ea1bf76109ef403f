"""Recompute every evaluation roll-up (homogeneous groups, platforms, places, the network) from
the placements, in one transaction: after an import that bypassed the services, or a deploy
that changes what a snapshot holds. Safe to run again; pages keep the previous figures until
it commits."""

import time

from django.core.management.base import BaseCommand

from projects.evaluations.rollup import evaluations_recompute_all


class Command(BaseCommand):
    help = "Recompute every evaluation roll-up from the placements."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        computed = evaluations_recompute_all()
        self.stdout.write(
            f"{computed} evaluation snapshots computed in {time.perf_counter() - started:.2f} s."
        )
