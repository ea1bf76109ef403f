"""manage.py import_tiki: move the old Tiki site's exports in, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.movein.report import KINDS, OUTCOMES, Report
from wikispiral.movein.run import movein_run
from wikispiral.movein.services import movein_for_command
from wikispiral.movein.storage import report_path


class Command(BaseCommand):
    help = (
        "Import the old Tiki site's exports: pages with their history, their structure, "
        "trackers (with a mapping), gallery files. Safe to run again: only what changed is "
        "imported. --dry-run shows what would happen and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pages", type=Path, help="zip, tar or folder of page export files")
        parser.add_argument(
            "--structure", type=Path, help="CSV: page, parent, position, language, translation of"
        )
        parser.add_argument(
            "--trackers", type=Path, help="folder or zip of tracker CSV exports, or one CSV"
        )
        parser.add_argument("--mapping", type=Path, help="TOML mapping of trackers (and pages)")
        parser.add_argument("--files", type=Path, help="folder or zip of gallery files")
        parser.add_argument(
            "--files-listing",
            type=Path,
            help="the files' listing, when not in --files as listing.csv",
        )
        parser.add_argument("--dry-run", action="store_true", help="preview: nothing is written")
        parser.add_argument(
            "--as",
            dest="actor",
            help="the secretariat member who makes the import (default: the only superuser)",
        )

    def handle(self, *args: object, **options: object) -> None:
        actor = self._actor(options.get("actor"))
        names = {
            "pages": "pages",
            "structure": "structure",
            "trackers": "trackers",
            "mapping": "mapping",
            "files": "files",
            "files_listing": "listing",
        }
        paths = {
            kind: Path(str(options[option]))
            for option, kind in names.items()
            if options.get(option)
        }
        try:
            move = movein_for_command(actor=actor, paths=paths, dry_run=bool(options["dry_run"]))
        except DomainError as error:
            raise CommandError(error.message) from error
        report = movein_run(move=move, echo=lambda line: self.stdout.write(f"… {line}"))
        if report is None:
            raise CommandError(_("The import did not start."))
        self._summary(report)
        self.stdout.write(_("Report: %(path)s") % {"path": report_path(move)})
        if report.errors:
            raise CommandError(_("%(count)d errors: see the report.") % {"count": report.errors})

    def _actor(self, username: object) -> User:
        if username:
            actor = User.objects.filter(username=str(username), is_active=True).first()
            if actor is None:
                raise CommandError(_("No active account “%(name)s”.") % {"name": username})
        else:
            admins = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
            if len(admins) != 1:
                raise CommandError(_("Say who makes the import: --as USERNAME."))
            actor = admins[0]
        if not actor.is_network_staff:
            raise CommandError(_("Only the network secretariat may import the old site."))
        return actor

    def _summary(self, report: Report) -> None:
        title = _("Dry run: nothing was written.") if report.dry_run else _("Import finished.")
        self.stdout.write(self.style.SUCCESS(title) if not report.errors else title)
        for kind, label in KINDS.items():
            found = report.counts.get(kind)
            if found:
                parts = ", ".join(f"{OUTCOMES.get(o, o)} {n}" for o, n in found.items())
                self.stdout.write(f"  {label}: {parts}")
        for line in report.lines:
            if line.level == "error":
                self.stderr.write(f"  ! {line.subject}: {line.message}")
        self.stdout.write(
            _("%(errors)d errors, %(warnings)d warnings, %(notes)d conversion doubts.")
            % {
                "errors": report.errors,
                "warnings": report.warnings,
                "notes": report.level_count("note"),
            }
        )
