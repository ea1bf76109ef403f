"""The secretariat opens coordination groups and homogeneous groups in bulk, from a CSV or XLSX
sheet, without applications.

Each kind has a preview (every row checked, nothing written) and an open (checked again, then
written all or nothing). A group is opened through the same services as an approved
application (coordination_group_create, invitation_create, a network member row) or a
facilitator's form (homogeneous_group_create), so it is the same group either way.

Re-running a file is idempotent: a coordination group is matched by its network id, else by
its address (slug); a homogeneous group by its external key, else by its name in its
coordination group. A matched group is reported unchanged, or updated with the cells the file
fills (an empty cell leaves the value as it is). Places are looked up as the geography import
records them, never guessed: an unknown one is a row error and listed for the secretariat.

Row numbers are those a spreadsheet shows: the header is row 1.
"""

from territories.services.bulk_open._common import (
    BULK_LIMITS,
    BulkReport,
    BulkRowError,
    UnknownPlace,
    bulk_sheet_read,
)
from territories.services.bulk_open.groups import (
    GROUP_COLUMNS,
    GROUP_REQUIRED,
    groups_bulk_open,
    groups_bulk_preview,
)
from territories.services.bulk_open.homogeneous_groups import (
    HOMOGENEOUS_GROUP_COLUMNS,
    HOMOGENEOUS_GROUP_REQUIRED,
    homogeneous_groups_bulk_open,
    homogeneous_groups_bulk_preview,
)

__all__ = [
    "BULK_LIMITS",
    "GROUP_COLUMNS",
    "GROUP_REQUIRED",
    "HOMOGENEOUS_GROUP_COLUMNS",
    "HOMOGENEOUS_GROUP_REQUIRED",
    "BulkReport",
    "BulkRowError",
    "UnknownPlace",
    "bulk_sheet_read",
    "groups_bulk_open",
    "groups_bulk_preview",
    "homogeneous_groups_bulk_open",
    "homogeneous_groups_bulk_preview",
]
