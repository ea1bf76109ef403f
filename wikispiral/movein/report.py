"""The report every move-in ends with: counts per kind and outcome, and every line worth a
look (errors, warnings, conversion doubts), each naming what it is about (a page, a tracker
row, a file). Kept as JSON beside the run and offered for download as JSON or CSV."""

import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from wikispiral import csvsafe

ERROR = "error"
WARNING = "warning"
NOTE = "note"

# The kinds a report counts, in the order it shows them.
KINDS = {
    "pages": gettext_lazy("Wiki pages"),
    "revisions": gettext_lazy("Revisions"),
    "structure": gettext_lazy("Tree and translations"),
    "files": gettext_lazy("Files"),
    "coordination_groups": gettext_lazy("Coordination groups"),
    "homogeneous_groups": gettext_lazy("Homogeneous groups"),
    "criteria": gettext_lazy("Criteria"),
    "addresses": gettext_lazy("Old addresses"),
}
OUTCOMES = {
    "created": pgettext_lazy("move-in outcome", "created"),
    "updated": pgettext_lazy("move-in outcome", "updated"),
    "unchanged": pgettext_lazy("move-in outcome", "unchanged"),
    "skipped": pgettext_lazy("move-in outcome", "skipped"),
    "refused": pgettext_lazy("move-in outcome", "refused"),
}
LEVELS = {
    ERROR: gettext_lazy("Error"),
    WARNING: gettext_lazy("Warning"),
    NOTE: gettext_lazy("Conversion doubt"),
}


@dataclass
class Line:
    """One line of the report: kind (a key of KINDS, or "sources"), subject (a page's name,
    "groups.csv, row 12", a file id...), message (translated when written)."""

    kind: str
    subject: str
    message: str
    level: str = WARNING


@dataclass
class Report:
    dry_run: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    # Lists for the secretariat to act on: Tiki authors with no account, unknown places,
    # languages guessed.
    authors_unmatched: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)
    languages_guessed: list[dict[str, str]] = field(default_factory=list)

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        if number:
            by_outcome = self.counts.setdefault(kind, {})
            by_outcome[outcome] = by_outcome.get(outcome, 0) + number

    def add(self, kind: str, subject: str, message: str, level: str = WARNING) -> None:
        self.lines.append(Line(kind=kind, subject=subject, message=str(message), level=level))

    def level_count(self, level: str) -> int:
        return sum(1 for line in self.lines if line.level == level)

    @property
    def errors(self) -> int:
        return self.level_count(ERROR)

    @property
    def warnings(self) -> int:
        return self.level_count(WARNING)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Report":
        data = json.loads(text)
        lines = [Line(**line) for line in data.pop("lines", [])]
        return cls(lines=lines, **data)


def report_load(path: Path) -> Report | None:
    try:
        return Report.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def counts_table(counts: dict[str, dict[str, int]]) -> list[dict]:
    """The counts as rows for a page: [{"kind", "label", "outcomes": [(label, n)...]}]."""
    rows = []
    for kind, label in KINDS.items():
        found = counts.get(kind)
        if not found:
            continue
        outcomes = [(str(OUTCOMES.get(o, o)), n) for o, n in found.items() if n]
        rows.append({"kind": kind, "label": str(label), "outcomes": outcomes})
    return rows


def report_csv(report: Report) -> str:
    """Every line of the report as CSV (formula-safe: user text starting with = + - @ is
    quoted), then the counts."""
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow([_("Level"), _("Kind"), _("About"), _("Message")])
    for line in report.lines:
        writer.writerow(
            [
                str(LEVELS.get(line.level, line.level)),
                str(KINDS.get(line.kind, line.kind)),
                line.subject,
                line.message,
            ]
        )
    writer.writerow([])
    writer.writerow([_("Kind"), _("Outcome"), _("Count")])
    for kind, outcomes in report.counts.items():
        for outcome, number in outcomes.items():
            writer.writerow(
                [str(KINDS.get(kind, kind)), str(OUTCOMES.get(outcome, outcome)), number]
            )
    return out.getvalue()
