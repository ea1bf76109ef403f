"""Full codes: `object/sense/beneficiary`, e.g. `A01-11/P15/k`.

The object starts with a component code (`A01`) and may go deeper (`A01-11`, `A01-11-2`); the
sense is one of the five categories with an optional number (`P`, `P15`); the beneficiary is a
short lowercase letter code (`k`, my children). Any prefix, cut at a `/` or a `-`, is a valid and
more general code: `A01`, `A01-11`, `A01-11/P`, `A01-11/P15`.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wikispiral.errors import DomainError

# re.ASCII: \d alone also matches other scripts' digits, and "A01-١١" would pass as a code
# that is not A01-11.
COMPONENT_CODE = re.compile(r"^[A-Z]\d{2}$", re.ASCII)
_OBJECT = re.compile(r"^(?P<component>[A-Z]\d{2})(?P<detail>(?:-\d{1,3})*)$", re.ASCII)
_SENSE = re.compile(r"^(?P<category>[ORPQS])(?P<number>\d{1,3})?$", re.ASCII)
_BENEFICIARY = re.compile(r"^[a-z]{1,3}$")
FULL_CODE_MAX_LENGTH = 40


@dataclass(frozen=True)
class FullCode:
    component_code: str
    object: str
    sense: str = ""
    beneficiary: str = ""

    def __str__(self) -> str:
        return "/".join(part for part in (self.object, self.sense, self.beneficiary) if part)

    @property
    def sense_category(self) -> str:
        return self.sense[:1]


def full_code_parse(raw: str) -> FullCode:
    """Parse and normalise a full code (letters upper-cased, spaces dropped); DomainError with a
    message naming the faulty part otherwise."""
    code = re.sub(r"\s+", "", raw or "")
    if not code:
        raise DomainError(_("The full code is empty."), field="full_code")
    if len(code) > FULL_CODE_MAX_LENGTH:
        raise DomainError(
            _("A full code has at most %(max)d characters.") % {"max": FULL_CODE_MAX_LENGTH},
            field="full_code",
        )
    parts = code.split("/")
    if len(parts) > 3 or any(not part for part in parts):
        raise DomainError(
            _("“%(code)s” is not a full code: write object/sense/beneficiary, e.g. A01-11/P15/k.")
            % {"code": raw},
            field="full_code",
        )
    obj = _OBJECT.match(parts[0].upper())
    if obj is None:
        raise DomainError(
            _(
                "“%(part)s” is not an object code: a component code such as A01, then optional "
                "numbers such as -11."
            )
            % {"part": parts[0]},
            field="full_code",
        )
    sense = ""
    if len(parts) > 1:
        sense = parts[1].upper()
        if _SENSE.match(sense) is None:
            raise DomainError(
                _(
                    "“%(part)s” is not a sense: one of O, R, P, Q, S, optionally followed by a "
                    "number, e.g. P15."
                )
                % {"part": parts[1]},
                field="full_code",
            )
    beneficiary = ""
    if len(parts) > 2:
        beneficiary = parts[2].lower()
        if _BENEFICIARY.match(beneficiary) is None:
            raise DomainError(
                _("“%(part)s” is not a beneficiary: one to three letters, e.g. k.")
                % {"part": parts[2]},
                field="full_code",
            )
    return FullCode(
        component_code=obj.group("component"),
        object=obj.group(0),
        sense=sense,
        beneficiary=beneficiary,
    )
