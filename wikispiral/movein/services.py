"""Starting a move-in: from the secretariat's page (a durable job) or the command (in the
foreground); and starting a failed one again."""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.services import job_enqueue, person_language
from wikispiral.movein.models import MoveIn
from wikispiral.movein.storage import sources_copy, upload_store

JOB_KIND = "movein.import"
Status = MoveIn.Status


def movein_job_key(move: MoveIn) -> str:
    return f"{JOB_KIND}:{move.pk}"


def _enqueue(move: MoveIn) -> None:
    person = move.created_by
    job_enqueue(
        kind=JOB_KIND,
        key=movein_job_key(move),
        args={"move_in": move.pk},
        actor=person,
        language=person_language(person),
    )


def _check_sources(kinds: set[str]) -> None:
    if not kinds & {"pages", "trackers", "files"}:
        raise DomainError(
            _("Give at least the page export, the tracker exports or the gallery files."),
            field="pages",
        )
    if "trackers" in kinds and "mapping" not in kinds:
        raise DomainError(_("Tracker exports need their mapping file."), field="mapping")
    if "structure" in kinds and "pages" not in kinds:
        raise DomainError(_("The structure file goes with the page export."), field="structure")


def _one_at_a_time(dry_run: bool) -> None:
    """Two imports at once would race on the same pages and groups: refuse a second."""
    if (
        not dry_run
        and MoveIn.objects.filter(
            dry_run=False, origin=MoveIn.Origin.PAGE, status__in=[Status.QUEUED, Status.RUNNING]
        ).exists()
    ):
        raise DomainError(_("An import is already running: wait for it to end."))


def movein_start(*, actor: User, uploads: dict[str, UploadedFile], dry_run: bool) -> MoveIn:
    """Keep the uploaded sources and queue the run as a durable job."""
    _check_sources(set(uploads))
    _one_at_a_time(dry_run)
    with transaction.atomic():
        move = MoveIn.objects.create(
            dry_run=dry_run,
            origin=MoveIn.Origin.PAGE,
            created_by=actor,
            filenames={kind: Path(f.name or "").name[:200] for kind, f in uploads.items()},
        )
        move.sources = {kind: str(upload_store(move, kind, f)) for kind, f in uploads.items()}
        move.save(update_fields=["sources"])
        audit_record(actor=actor, action="movein.started", target=move, dry_run=dry_run)
        _enqueue(move)
    return move


def movein_again(*, actor: User, source: MoveIn, dry_run: bool = False) -> MoveIn:
    """A new run with the files of an earlier one (the import after its dry run)."""
    if source.active or not source.dry_run or source.status != Status.DONE:
        raise DomainError(_("Only a finished dry run can be imported for real."))
    _one_at_a_time(dry_run)
    with transaction.atomic():
        move = MoveIn.objects.create(
            dry_run=dry_run,
            origin=MoveIn.Origin.PAGE,
            created_by=actor,
            filenames=source.filenames,
        )
        move.sources = sources_copy(source, move)
        if set(move.sources) != set(source.sources):
            raise DomainError(
                _("The files of that run are no longer on the server: upload them again.")
            )
        move.save(update_fields=["sources"])
        audit_record(actor=actor, action="movein.started", target=move, dry_run=dry_run)
        _enqueue(move)
    return move


def movein_for_command(*, actor: User, paths: dict[str, Path], dry_run: bool) -> MoveIn:
    """A run for `manage.py import_tiki`: the sources are used where they are."""
    _check_sources(set(paths))
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        raise DomainError(_("Not found: %(paths)s.") % {"paths": ", ".join(missing)})
    # A command's run is not a job: if its process died, nothing will finish it. Say so on the
    # page rather than show it running for ever (the new run picks up where it stopped).
    MoveIn.objects.filter(
        origin=MoveIn.Origin.COMMAND, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(
        status=Status.FAILED,
        message=_("This run stopped before its end (its command was interrupted)."),
    )
    move = MoveIn.objects.create(
        dry_run=dry_run,
        origin=MoveIn.Origin.COMMAND,
        created_by=actor,
        sources={kind: str(path.resolve()) for kind, path in paths.items()},
        filenames={kind: path.name for kind, path in paths.items()},
    )
    audit_record(actor=actor, action="movein.started", target=move, dry_run=dry_run)
    return move


def movein_revive(*, move: MoveIn) -> bool:
    """Put a failed run back to waiting; False when it already waits or runs."""
    runs = MoveIn.objects.filter(pk=move.pk)
    if runs.filter(status__in=[Status.QUEUED, Status.RUNNING]).exists():
        return False
    if any(not Path(path).exists() for path in move.sources.values()):
        raise DomainError(
            _("The files of that run are no longer on the server: upload them again.")
        )
    if not runs.filter(status=Status.FAILED).update(status=Status.QUEUED, message=""):
        raise DomainError(_("Only a failed import can be started again."))
    return True


def movein_retry(*, move: MoveIn) -> None:
    if movein_revive(move=move):
        _enqueue(move)
