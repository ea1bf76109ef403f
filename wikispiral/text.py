"""Small text helpers shared by the apps."""

import re

from django.utils.translation import get_language_info

# Characters that show nothing themselves yet change how the text around them reads: the
# bidirectional controls (after U+202E the rest of a line shows backwards, so a title or a
# name can pose as another), zero-width marks that make two names look the same, and control
# characters. The zero-width (non-)joiners U+200C and U+200D stay: Persian and Indic scripts
# and emoji sequences need them, while Arabic and Hebrew text renders without the others.
_INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # controls, except tab and line ends
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u200b\u200e\u200f"  # zero-width space, left-to-right and right-to-left marks
    "\u202a-\u202e"  # embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u206f"  # isolates, deprecated format characters
    "\ufeff"  # byte-order mark (zero-width no-break space)
    "\ufff9-\ufffb"  # interlinear annotations
    "]"
)


def newlines_normalise(text: str) -> str:
    """Windows (CRLF) and old Mac (CR) line ends as plain LF: browsers send CRLF from a
    textarea, and a text must compare and count the same whichever way it came."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def invisibles_strip(text: str) -> str:
    """text without bidirectional controls, other invisible format characters and control
    characters (tab and line ends are kept)."""
    return _INVISIBLE.sub("", text)


def line_clean(text: str | None) -> str:
    """A name or title as one line: invisible characters removed, runs of white space (line
    ends included) as one space, none at either end."""
    return " ".join(invisibles_strip(text or "").split())


def language_name(code: str) -> str:
    """A language's name in the reader's language ("French"), or its code when Django does not
    know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
