"""Reading what the network's old Tiki site exports, before anything is imported (issue 15).

- `export`: Tiki's "export wiki pages" files (one MIME message per page, one part per revision)
  and the zip, tar or folder that holds them, read within bounds, every bad file a problem.
- `syntax`: Tiki wiki syntax converted to our Markdown (`wikispiral.wiki.markup`), every
  construct it cannot convert kept visibly in the text and listed.

- `pages`: the pages written into the wiki with their whole history; `structure`: their tree
  and translations from a small CSV.

The two readers are pure functions (no database, no settings beyond gettext). This package sits
on the engine floor and knows nothing of territories, criteria, syntheses or projects.
"""

from wikispiral.wiki.tiki.export import (
    DEFAULT_LIMITS,
    ExportLimits,
    ExportProblem,
    ExportReading,
    TikiPage,
    TikiRevision,
    export_iter,
    export_read,
    export_read_bytes,
    page_file_read,
)
from wikispiral.wiki.tiki.syntax import Conversion, Doubt, TikiFileRef, convert

__all__ = [
    "DEFAULT_LIMITS",
    "Conversion",
    "Doubt",
    "ExportLimits",
    "ExportProblem",
    "ExportReading",
    "TikiFileRef",
    "TikiPage",
    "TikiRevision",
    "convert",
    "export_iter",
    "export_read",
    "export_read_bytes",
    "page_file_read",
]

# Writing what was read (issue 15): these touch the database, unlike the two readers above.
from wikispiral.wiki.tiki.pages import (  # noqa: E402
    PageOutcome,
    PagesReport,
    Placement,
    placement_in_space,
    tiki_pages_import,
)
from wikispiral.wiki.tiki.structure import (  # noqa: E402
    Structure,
    StructureReport,
    tiki_structure_apply,
    tiki_structure_read,
)

__all__ += [
    "PageOutcome",
    "PagesReport",
    "Placement",
    "Structure",
    "StructureReport",
    "placement_in_space",
    "tiki_pages_import",
    "tiki_structure_apply",
    "tiki_structure_read",
]
