"""Forms of the bulk opening pages: the uploaded sheet, and the previewed sheet carried back
signed to be opened."""

from dataclasses import dataclass

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from territories.services import bulk_sheet_read
from territories.services.bulk_open import BULK_LIMITS
from wikispiral.uploads import Sheet, UploadProblem

BULK_SIGNING_SALT = "territories.secretariat.bulk"
BULK_MAX_AGE_SECONDS = 60 * 60
# The signed rows travel in a hidden field: past this size the preview asks to split the file
# (the project reads at most 5 MB of form fields per request).
BULK_MAX_PAYLOAD_CHARS = 4 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    sheet: Sheet
    filename: str


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("One group per row under a header line; at most 2 MB."),
        error_messages={"required": _("Choose a file to upload.")},
    )

    def clean_file(self) -> Upload:
        """The file's sheet, read within the bulk bounds."""
        upload = self.cleaned_data["file"]
        data = upload.read(BULK_LIMITS.max_bytes + 1)
        try:
            sheet = bulk_sheet_read(data=data, filename=upload.name or "")
        except UploadProblem as problem:
            raise forms.ValidationError(problem.message) from problem
        return Upload(sheet=sheet, filename=(upload.name or "")[:200])


def bulk_sign(kind: str, upload: Upload) -> str:
    """The previewed rows, signed and timestamped for one kind, to carry to the opening."""
    sheet = upload.sheet
    content = {
        "kind": kind,
        "filename": upload.filename,
        "header": sheet.header,
        "header_row": sheet.header_row,
        "rows": sheet.rows,
        "format": sheet.kind,
    }
    return signing.TimestampSigner(salt=BULK_SIGNING_SALT).sign_object(content, compress=True)


class BulkCommitForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, strip=False)

    def __init__(self, data: QueryDict | None = None, *, kind: str) -> None:
        super().__init__(data)
        self.kind = kind

    def clean_payload(self) -> Upload:
        """The previewed rows, if the signature is ours, for this kind and under an hour old."""
        unreadable = _("The previewed file could not be read back. Upload the file again.")
        signer = signing.TimestampSigner(salt=BULK_SIGNING_SALT)
        try:
            content = signer.unsign_object(
                self.cleaned_data["payload"], max_age=BULK_MAX_AGE_SECONDS
            )
        except signing.SignatureExpired as exc:
            raise forms.ValidationError(
                _("This preview is more than an hour old. Upload the file again.")
            ) from exc
        except (signing.BadSignature, ValueError) as exc:
            raise forms.ValidationError(unreadable) from exc
        if not isinstance(content, dict) or content.get("kind") != self.kind:
            raise forms.ValidationError(unreadable)
        sheet = Sheet(
            kind=content["format"],
            header=content["header"],
            header_row=content["header_row"],
            rows=[(number, cells) for number, cells in content["rows"]],
        )
        return Upload(sheet=sheet, filename=content["filename"])
