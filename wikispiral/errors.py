"""The one exception type services raise to refuse something a person asked for."""

from django.forms import Form


class DomainError(Exception):
    """A refusal with a message meant for the person (already translated) and, when it is
    about one form field, that field's name."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to(self, form: Form) -> None:
        """Show the refusal on form: next to its field when the form has it, else on top."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
