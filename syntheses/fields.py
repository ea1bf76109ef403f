"""A model field for big JSON documents that the database never looks into."""

import json

from django.db import models


def pack(value: object) -> bytes:
    """value as compact UTF-8 JSON (the bytes the field stores, and the digest hashes)."""
    return json.dumps(value, separators=(",", ":")).encode()


class PackedJSONField(models.BinaryField):
    """JSON stored as UTF-8 bytes and parsed in Python only. A snapshot's cube runs to
    megabytes for a country or the network: jsonb would have PostgreSQL parse it on every
    write (about 14 times the time of storing the bytes) and rebuild its text on every read,
    for queries nobody makes. The column is still compressed (LZ4 TOAST, migration 0006).

    Assign a value (dict, list…) or bytes already packed (pack()), read a value back."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(bytes(value) if isinstance(value, memoryview) else value)

    def to_python(self, value):
        if isinstance(value, bytes | bytearray | memoryview | str):
            return json.loads(bytes(value) if isinstance(value, memoryview) else value)
        return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, bytes):
            return value
        return pack(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value) if not prepared else value
        if value is None:
            return None
        return connection.Database.Binary(value)

    def value_to_string(self, obj) -> str:
        return pack(self.value_from_object(obj)).decode()
