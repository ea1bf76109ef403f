"""A realistic demo network for `manage.py generate_demo_data`: countries, coordination groups,
homogeneous groups with profiles and criteria in English, French and Portuguese over every
component of the current grid and every network question.

The texts come from a phrase bank (per component and language: a few noun phrases and several
phrasings per question) varied with qualifiers, openings, combinations and small slips, so that
a text model can learn which component a text belongs to without finding exact copies; about 5%
are generic ("A good life") and classified under a general x00 component, as classifiers do.

Everything drawn depends on the seed only, never on what the database holds, so two runs with
the same seed write the same network. Rows are written with bulk_create (a whole run is one
transaction): 100,000 criteria take seconds, not minutes. Generated coordination groups are
recognised by their slug ("demo-…") and network id ("GC0…", below the range network_id_next
hands out, so real groups never follow demo numbers).

texts draws the texts from the bank in criteria/fixtures/demo (one CSV file per language),
network plans the groups without the database, services writes and removes them, selectors
reads what an earlier run left.
"""

from criteria.demo.selectors import DemoSummary, demo_existing, demo_groups
from criteria.demo.services import demo_generate, demo_remove
from criteria.demo.texts import BANK, FRAMES, LANGUAGES, criterion_text, full_code, generic_text

__all__ = [
    "BANK",
    "FRAMES",
    "LANGUAGES",
    "DemoSummary",
    "criterion_text",
    "demo_existing",
    "demo_generate",
    "demo_groups",
    "demo_remove",
    "full_code",
    "generic_text",
]
