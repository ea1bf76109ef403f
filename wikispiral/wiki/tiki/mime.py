"""A fast reader for the one shape of MIME message Tiki's page export writes (issue 15).

The standard library's email parser reads any MIME message; on the network's export (5,000
pages, 100,000 revisions) it is a fifth of the import's time. Tiki writes one shape only
(lib/ziplib.php): a few top headers, then one `application/x-tikiwiki` part, or a
`multipart/mixed` body whose parts are separated by `--boundary` lines and closed by
`--boundary--`; each part's Content-Type parameters are `name=value` with values
percent-encoded (or `""`), and its body is binary. `tiki_parts` reads exactly that shape and
gives up (None) on anything else: another transfer encoding, a quoted value with escapes, an
RFC 2231 parameter, a missing closing boundary... The caller then reads the file with the
email parser, which knows every MIME rule and names every defect. Both give the same
parameters and bodies for Tiki's files (tests/test_tiki_export.py checks it on its corpus).
"""

import email.message
import re
from email import errors as email_errors
from urllib.parse import unquote_to_bytes

PAGE_TYPE = b"application/x-tikiwiki"
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_PARAM = re.compile(rb'\s*([A-Za-z0-9_.-]+)\s*=\s*("[^"\\]*"|[^";\s]*)\s*')
_PLAIN_ENCODINGS = {b"", b"binary", b"8bit", b"7bit"}

Part = tuple[dict[str, bytes], bytes]


def _headers(block: bytes) -> dict[bytes, bytes] | None:
    """A header block's fields (names lower-cased, folded lines joined), or None when a line
    is not a header."""
    fields: dict[bytes, bytes] = {}
    name = b""
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if not name:
                return None
            fields[name] += b" " + line.strip()
            continue
        key, colon, value = line.partition(b":")
        if not colon or not key.strip() or b" " in key.strip():
            return None
        name = key.strip().lower()
        if name in fields:
            return None  # a header twice: let the email parser decide
        fields[name] = value.strip()
    return fields


def _content_type(value: bytes) -> tuple[bytes, dict[str, bytes]] | None:
    """The media type (lower-cased) and the parameters, percent-decoded; None when a
    parameter is written in a form Tiki never writes."""
    kind, _semicolon, rest = value.partition(b";")
    params: dict[str, bytes] = {}
    for piece in rest.split(b";") if rest.strip() else []:
        match = _PARAM.fullmatch(piece)
        if match is None or match.group(1).endswith(b"*"):
            return None
        name = match.group(1).decode("ascii").lower()
        raw = match.group(2)
        if raw.startswith(b'"'):
            raw = raw[1:-1]
        if name not in params:
            params[name] = unquote_to_bytes(raw)
    return kind.strip().lower(), params


def _part(data: bytes) -> Part | None:
    found = _HEADER_END.search(data)
    if found is None:
        return None
    headers = _headers(data[: found.start()])
    if headers is None or b"content-type" not in headers:
        return None
    if headers.get(b"content-transfer-encoding", b"").lower() not in _PLAIN_ENCODINGS:
        return None
    parsed = _content_type(headers[b"content-type"])
    if parsed is None or parsed[0] != PAGE_TYPE:
        return None
    return parsed[1], data[found.end() :]


def tiki_parts(data: bytes) -> list[Part] | None:
    """Each revision's Content-Type parameters (names lower-cased, values percent-decoded to
    bytes) and body, in the file's order; None for anything but Tiki's own shape."""
    found = _HEADER_END.search(data)
    if found is None:
        return None
    top = _headers(data[: found.start()])
    if top is None or b"content-type" not in top:
        return None
    parsed = _content_type(top[b"content-type"])
    if parsed is None:
        return None
    kind, params = parsed
    if kind == PAGE_TYPE:
        part = _part(data)
        return [part] if part is not None else None
    boundary = params.get("boundary", b"")
    if kind != b"multipart/mixed" or not boundary or top.get(b"content-transfer-encoding"):
        return None
    body = data[found.end() :]
    delimiter = b"\r\n--" + boundary
    pieces = (b"\r\n" + body).split(delimiter)
    # pieces[0]: the preamble; the last: what follows the closing "--boundary--".
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        return None
    parts: list[Part] = []
    for piece in pieces[1:-1]:
        if not piece.startswith(b"\r\n"):
            return None
        part = _part(piece[2:])
        if part is None:
            return None
        parts.append(part)
    return parts


# --- Helpers of the email parser's path (export._email_parts) ------------------------------


def email_params(part: email.message.Message) -> dict[str, bytes]:
    """The Content-Type parameters, names lower-cased, values percent-decoded to bytes."""
    found: dict[str, bytes] = {}
    for name, value in part.get_params(failobj=[])[1:]:
        if isinstance(value, tuple):  # an RFC 2231 value; Tiki never writes one
            value = value[2]
        key = name.strip().lower()
        if key and key not in found:
            found[key] = unquote_to_bytes(value)
    return found


def email_truncated(message: email.message.Message) -> bool:
    defects = list(message.defects)
    for part in message.walk():
        defects += part.defects
    return any(
        isinstance(
            defect,
            email_errors.CloseBoundaryNotFoundDefect | email_errors.StartBoundaryNotFoundDefect,
        )
        for defect in defects
    )
