"""The one exception type services raise to refuse something a person asked for."""


class DomainError(Exception):
    """A refusal with a message meant for the person (already translated) and, when it is
    about one form field, that field's name."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
