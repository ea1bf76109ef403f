"""Small text helpers shared by the apps."""


def newlines_normalise(text: str) -> str:
    """Windows (CRLF) and old Mac (CR) line ends as plain LF: browsers send CRLF from a
    textarea, and a text must compare and count the same whichever way it came."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
