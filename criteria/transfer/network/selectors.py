"""Reading the secretariat's network-wide criteria imports."""

from django.db.models import QuerySet

from criteria.models import NetworkImportBatch
from criteria.transfer.imports import SAMPLE_READ_ROWS, FileProblem
from criteria.transfer.network.checks import network_check_file, network_sample
from criteria.transfer.network.services import network_file_path


def network_import_batch_list(*, limit: int = 10) -> QuerySet[NetworkImportBatch]:
    """The latest network imports, newest first."""
    return NetworkImportBatch.objects.order_by("-created_at")[:limit]


def network_import_batch_sample(*, batch: NetworkImportBatch) -> list[dict]:
    """The first valid rows of a checked network file, as the import would enter them (reads
    only the first few hundred rows of the stored file); empty when the file is gone."""
    if not batch.stored_name:
        return []
    try:
        data = network_file_path(batch).read_bytes()
        checked = network_check_file(filename=batch.filename, data=data, nrows=SAMPLE_READ_ROWS)
    except (FileNotFoundError, FileProblem):
        return []
    return network_sample(checked)
