"""Fifty people press Save at once on the same base revision: nobody's work is lost."""

import threading

import pytest
from django.db import connection

from tests.factories import make_page, make_user
from wikispiral.wiki import services
from wikispiral.wiki.models import Revision

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAVERS = 50


def _fire_at_once(page, users, bodies) -> list[object]:
    """Run page_revise from SAVERS threads released together; collect each outcome."""
    base = page.current_revision_id
    barrier = threading.Barrier(len(users))
    outcomes: list[object] = [None] * len(users)

    def save(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = services.page_revise(
                page=page,
                actor=users[index],
                title=page.title,
                body=bodies[index],
                base_revision_id=base,
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            # Each thread has its own connection; close it or 50 linger until the DB is dropped.
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_conflicting_saves_one_wins_the_rest_are_reported_as_conflicts():
    page = make_page(body="The budget is 100.\n")
    users = [make_user() for _ in range(SAVERS)]
    bodies = [f"The budget is {1000 + i}.\n" for i in range(SAVERS)]

    outcomes = _fire_at_once(page, users, bodies)

    saved = [o for o in outcomes if isinstance(o, Revision)]
    conflicts = [o for o in outcomes if isinstance(o, services.EditConflict)]
    assert len(saved) == 1
    assert len(conflicts) == SAVERS - 1
    assert saved[0].kind == Revision.Kind.EDIT
    # Every refused person is handed back their own text, so nothing is lost.
    assert sorted(c.mine_body for c in conflicts) == sorted(set(bodies) - {saved[0].body})
    assert page.revisions.count() == 2


def test_fifty_non_overlapping_saves_are_all_merged_into_one_linear_history():
    lines = [f"line {i}\n" for i in range(SAVERS * 3)]
    page = make_page(body="".join(lines))
    users = [make_user() for _ in range(SAVERS)]
    # Person i changes only line 3*i, so every change is separated by untouched lines.
    bodies = []
    for i in range(SAVERS):
        mine = list(lines)
        mine[3 * i] = f"line {3 * i} edited by person {i}\n"
        bodies.append("".join(mine))

    outcomes = _fire_at_once(page, users, bodies)

    assert all(isinstance(o, Revision) for o in outcomes), outcomes
    kinds = [o.kind for o in outcomes]
    assert kinds.count(Revision.Kind.EDIT) == 1
    assert kinds.count(Revision.Kind.MERGE) == SAVERS - 1
    page.refresh_from_db()
    final = page.current_revision.body
    for i in range(SAVERS):
        assert f"edited by person {i}\n" in final
    numbers = list(page.revisions.order_by("number").values_list("number", "parent__number"))
    assert numbers == [(1, None)] + [(n, n - 1) for n in range(2, SAVERS + 2)]
