"""Guessing the language of an imported page that nobody said the language of (issue 15).

py3langid (a maintained fork of langid.py: a naive Bayes model over byte n-grams, 97 languages,
numpy only, a model of a few MB loaded once) restricted to the languages the site offers, with
its probabilities normalised so that a guess comes with a confidence. We chose it over lingua
(more accurate on very short texts, but a model of tens of MB per process) because pages are
paragraphs, where both agree, and over langdetect (random without a seed, unmaintained).

A guess below CONFIDENT is reported as uncertain; the secretariat reviews the list either way.
"""

import re
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

CONFIDENT = 0.9
# Enough text to decide; longer pages are cut (the model's cost grows with the text).
MAX_CHARS = 4_000

# Tiki markup that says nothing about the language: plugins, links' targets, tables' bars,
# heading and list marks, addresses.
_NOISE = re.compile(
    r"\{[^{}]*\}"  # {PLUGIN(...)} and {img ...}
    r"|\(\([^()|]*\|"  # ((Page|  : keep the label only
    r"|https?://\S+"
    r"|~/?(np|pp|tc|hc)~"
    r"|[|!*#=_'\-+^:\[\]()%~]{1,}",
)


@dataclass(frozen=True)
class Guess:
    language: str
    confidence: float

    @property
    def sure(self) -> bool:
        return self.confidence >= CONFIDENT


@cache
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def language_guess(text: str, *, languages: tuple[str, ...]) -> Guess | None:
    """The likeliest of languages for a page's text (Tiki markup is stripped first), or None
    when the text holds no words to judge by."""
    words = _NOISE.sub(" ", text[: MAX_CHARS * 2])
    words = " ".join(words.split())[:MAX_CHARS]
    if sum(character.isalpha() for character in words) < 3 or len(languages) == 0:
        return None
    if len(languages) == 1:
        return Guess(languages[0], 1.0)
    code, probability = _identifier(tuple(sorted(languages))).classify(words)
    return Guess(language=str(code), confidence=round(float(probability), 3))
