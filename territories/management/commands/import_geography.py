from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.services import geography_import

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "geography.csv"


class Command(BaseCommand):
    help = "Add continents' countries, regions and localities from a CSV (default: the network's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--dry-run", action="store_true", help="Check the file, save nothing.")

    def handle(self, *args, path: str, dry_run: bool, **options) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        report = geography_import(data=data, commit=not dry_run)
        for error in report.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s): nothing was saved.")
        created = ", ".join(f"{count} {kind}" for kind, count in report.created.items())
        verb = "checked" if dry_run else f"imported (new: {created})"
        self.stdout.write(f"{report.rows} rows {verb}.")
