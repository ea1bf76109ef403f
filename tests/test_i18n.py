"""English and French are complete; Portuguese is started; pages follow the reader's language."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_page

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(language: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for each entry of a catalogue, header excluded."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        head = re.search(r'^msgid "(.*)"\n((?:".*"\n)*)', block + "\n", re.M)
        msgid = head.group(1) + "".join(re.findall(r'"(.*)"', head.group(2)))
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n?((?:".*"\n?)*)', block, re.M)
        values = [first + "".join(re.findall(r'"(.*)"', rest)) for first, rest in strings]
        if msgid:
            entries.append((msgid, values, "#, fuzzy" in block))
    return entries


def test_french_catalogue_is_complete_and_has_no_fuzzy_entries():
    entries = _entries("fr")

    untranslated = [msgid for msgid, values, _fuzzy in entries if not all(values)]
    fuzzy = [msgid for msgid, _values, is_fuzzy in entries if is_fuzzy]
    assert len(entries) > 300
    assert untranslated == []
    assert fuzzy == []


def test_portuguese_catalogue_is_started():
    entries = _entries("pt")

    translated = [msgid for msgid, values, _fuzzy in entries if all(values)]
    assert len(translated) >= len(entries) // 2


def test_translations_keep_every_placeholder():
    for language in ("fr", "pt"):
        for msgid, values, _fuzzy in _entries(language):
            expected = sorted(set(re.findall(r"%\(\w+\)[sd]", msgid)))
            for value in filter(None, values):
                assert sorted(set(re.findall(r"%\(\w+\)[sd]", value))) == expected, (
                    language,
                    msgid,
                )


@pytest.mark.django_db
def test_interface_follows_the_language_cookie(client):
    page = make_page(title="Welcome")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = client.get(page.get_absolute_url()).content.decode()

    assert '<html lang="fr"' in html
    assert "Modifications récentes" in html
    assert "Suivre les derniers ajouts" in html
