"""A model field for big JSON documents that the database never looks into."""

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression


def pack(value: object) -> bytes:
    """value as compact UTF-8 JSON (the bytes the field stores, and the digest hashes)."""
    return json.dumps(value, separators=(",", ":")).encode()


class PackedJSONField(models.BinaryField):
    """JSON stored as UTF-8 bytes and parsed in Python only. A snapshot's cube runs to
    megabytes for a country or the network: jsonb would have PostgreSQL parse it on every
    write (about 14 times the time of storing the bytes) and rebuild its text on every read,
    for queries nobody makes. The column is still compressed (LZ4 TOAST, migration 0006).

    Assign a value (dict, list…) or bytes already packed (pack()), read a value back."""

    # For django-stubs: what the model attribute takes and gives (a JSON value, not bytes).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(
        self,
        value: bytes | memoryview | None,
        expression: Expression,
        connection: BaseDatabaseWrapper,
    ) -> Any:
        if value is None:
            return None
        return json.loads(bytes(value) if isinstance(value, memoryview) else value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, bytes | bytearray | memoryview | str):
            return json.loads(bytes(value) if isinstance(value, memoryview) else value)
        return value

    # BinaryField's get_db_prep_value wraps what this returns for the driver.
    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, bytes):
            return value
        return pack(value)

    def value_to_string(self, obj: models.Model) -> str:
        return pack(self.value_from_object(obj)).decode()
