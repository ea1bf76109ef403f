"""Criterion texts for the demo network: the phrase bank of criteria/fixtures/demo, varied
with openings, qualifiers, combinations and small slips."""

import csv
import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr", "pt")

# --- The phrase bank ----------------------------------------------------------------------------
#
# criteria/fixtures/demo/phrases-<language>.csv, one row a phrase, in the order draws use them
# (reordering rows changes what a seed writes). Columns: part, component, question, text.
#   noun      a noun phrase of a component, for the sentence frames
#   phrase    a phrasing of a component answering a question (Q1 well-being, Q2 ill-being, Q3
#             what I do or could do); Q3 phrasings start with a verb (gerund in English,
#             infinitive in French and Portuguese) so that openings such as "I could start …"
#             fit them
#   frame     a sentence frame per question for noun phrases; "{N}" is the noun phrase with a
#             capital. Frames take a direct object (or "pour", "sans", "com", "para") so that an
#             article never needs contracting
#   opening   an opening per question (a space follows it); the phrase goes on with a small
#             first letter
#   generic   a text per question too general to point at one component
#   qualifier what may follow a phrase ("for everyone")
#   joiner    the word joining two phrases ("and", with a space either side)

DATA_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
QUESTION_CODES = ("Q1", "Q2", "Q3")

type PerQuestion = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Phrases:
    """One component's bank in one language."""

    nouns: tuple[str, ...]
    by_question: PerQuestion


@dataclass(frozen=True)
class LanguageTexts:
    """What drawing texts needs in one language."""

    bank: dict[str, Phrases]
    frames: PerQuestion
    openings: PerQuestion
    generic: PerQuestion
    qualifiers: tuple[str, ...]
    joiner: str


def _per_question(lists: list[list[str]]) -> PerQuestion:
    return tuple(lists[0]), tuple(lists[1]), tuple(lists[2])


@cache
def language_texts(language: str) -> LanguageTexts:
    """The rows of phrases-<language>.csv, in file order; read once per process."""
    nouns: dict[str, list[str]] = {}
    phrases: dict[str, list[list[str]]] = {}
    per_question: dict[str, list[list[str]]] = {
        part: [[], [], []] for part in ("frame", "opening", "generic")
    }
    qualifiers: list[str] = []
    joiner = ""
    path = DATA_DIR / f"phrases-{language}.csv"
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            part, code, text = row["part"], row["component"], row["text"]
            question = QUESTION_CODES.index(row["question"]) if row["question"] else None
            if part == "noun":
                nouns.setdefault(code, []).append(text)
                phrases.setdefault(code, [[], [], []])
            elif part == "phrase" and question is not None:
                nouns.setdefault(code, [])
                phrases.setdefault(code, [[], [], []])[question].append(text)
            elif part in per_question and question is not None:
                per_question[part][question].append(text)
            elif part == "qualifier":
                qualifiers.append(text)
            elif part == "joiner":
                joiner = text
            else:
                raise ValueError(f"{path.name}: unexpected row {row}")
    return LanguageTexts(
        bank={
            code: Phrases(nouns=tuple(nouns[code]), by_question=_per_question(lists))
            for code, lists in phrases.items()
        },
        frames=_per_question(per_question["frame"]),
        openings=_per_question(
            [[f"{text} " for text in texts] for texts in per_question["opening"]]
        ),
        generic=_per_question(per_question["generic"]),
        qualifiers=tuple(qualifiers),
        joiner=f" {joiner} ",
    )


_TEXTS = {language: language_texts(language) for language in LANGUAGES}
BANK: dict[str, dict[str, Phrases]] = {
    code: {
        language: _TEXTS[language].bank[code]
        for language in LANGUAGES
        if code in _TEXTS[language].bank
    }
    for code in _TEXTS["en"].bank
}
FRAMES: dict[str, PerQuestion] = {language: texts.frames for language, texts in _TEXTS.items()}
OPENINGS: dict[str, PerQuestion] = {language: texts.openings for language, texts in _TEXTS.items()}
QUALIFIERS: dict[str, tuple[str, ...]] = {
    language: texts.qualifiers for language, texts in _TEXTS.items()
}
AND: dict[str, str] = {language: texts.joiner for language, texts in _TEXTS.items()}
# Texts too general to point at one component; classifiers put them under an x00 component
# (the determination key's sixth rule), not always the same one.
GENERIC: dict[str, PerQuestion] = {language: texts.generic for language, texts in _TEXTS.items()}
GENERIC_COMPONENTS = (
    (("G00", 6), ("F00", 2), ("A00", 1), ("B00", 1)),  # Q1
    (("G00", 6), ("F00", 2), ("A00", 1), ("B00", 1)),  # Q2
    (("H00", 7), ("E00", 2), ("D00", 1)),  # Q3
)

SENSES_BY_QUESTION = ("OQ", "RP", "SO")
BENEFICIARIES = ("i", "k", "f", "o", "a", "n")


# --- Drawing texts ------------------------------------------------------------------------------


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decapitalise(text: str) -> str:
    """Lower the first letter unless it starts an acronym or is the English "I"."""
    first_word = text.split(" ", 1)[0]
    if first_word == "I" or first_word.startswith("I'") or text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _typo(rng: random.Random, text: str) -> str:
    """Swap two neighbouring letters in one longer word, as fast typing does."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _phrases(code: str, language: str, label: str) -> Phrases:
    """The bank of a component, or one made from its label when the bank lacks it (a grid
    version newer than the bank)."""
    bank = BANK.get(code, {})
    found = bank.get(language) or bank.get("en")
    if found is not None:
        return found
    noun = label.lower()
    return Phrases(nouns=(noun,), by_question=((label,), (label,), (label,)))


def criterion_text(
    rng: random.Random,
    *,
    code: str,
    question: int,
    language: str,
    label: str = "",
    other: tuple[str, str] | None = None,
) -> str:
    """A plausible criterion for component code answering question (0, 1, 2 for Q1–Q3) in
    language: a phrasing of the bank or a noun phrase in a sentence frame, then maybe joined
    with a phrase of other (code, label), given an opening or a qualifier, and slightly slipped.
    """
    phrases = _phrases(code, language, label)
    frames = FRAMES.get(language, FRAMES["en"])[question]
    noun_share = 0.35 if question == 2 else 0.45
    if phrases.nouns and rng.random() < noun_share:
        noun = rng.choice(phrases.nouns)
        text = rng.choice(frames).replace("{N}", _capitalise(noun)).replace("{n}", noun)
    else:
        text = rng.choice(phrases.by_question[question])
    if other is not None:
        second = rng.choice(_phrases(other[0], language, other[1]).by_question[question])
        text = f"{text}{AND.get(language, ' and ')}{_decapitalise(second)}"
    roll = rng.random()
    if roll < 0.18:
        opening = rng.choice(OPENINGS.get(language, OPENINGS["en"])[question])
        text = opening + _decapitalise(text)
    elif roll < 0.48:
        text = f"{text} {rng.choice(QUALIFIERS.get(language, QUALIFIERS['en']))}"
    return _slip(rng, text, language)


def _slip(rng: random.Random, text: str, language: str) -> str:
    """Small differences between people typing the same idea."""
    roll = rng.random()
    if roll < 0.10:
        text += "."
    elif roll < 0.13:
        text += "!"
    elif roll < 0.14:
        text += " ..."
    if rng.random() < 0.08:
        text = _decapitalise(text)
    if language != "en" and rng.random() < 0.04:
        text = _strip_accents(text)  # typed on a keyboard without accents
    if rng.random() < 0.02:
        text = _typo(rng, text)
    if rng.random() < 0.01:
        text = text.upper()  # copied from a sticky note written in capitals
    return text


def generic_text(rng: random.Random, *, question: int, language: str) -> tuple[str, str]:
    """A generic text and the general component a classifier would choose for it."""
    text = rng.choice(GENERIC.get(language, GENERIC["en"])[question])
    codes, weights = zip(*GENERIC_COMPONENTS[question], strict=True)
    return _slip(rng, text, language), rng.choices(codes, weights)[0]


def full_code(rng: random.Random, *, code: str, question: int) -> str:
    """A full code inside component code, cut at a random depth (any prefix is valid)."""
    obj = f"{code}-{rng.randint(1, 20)}"
    depth = rng.random()
    if depth < 0.4:
        return obj
    sense = rng.choice(SENSES_BY_QUESTION[question]) + str(rng.randint(1, 20))
    if depth < 0.7:
        return f"{obj}/{sense}"
    return f"{obj}/{sense}/{rng.choice(BENEFICIARIES)}"
