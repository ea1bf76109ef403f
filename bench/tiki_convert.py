"""Tiki syntax conversion (wikispiral/wiki/tiki/syntax.py): how long one revision takes, for
the converter as it was (a frozen copy) and as it is, side by side in the same run (issue 15).

Synthetic pages with a fixed seed: headings, paragraphs of French, Portuguese and English
prose, lists, tables, wiki and external links, images, {DIV}/{BOX}/{SPLIT}/{FANCYTABLE},
~np~ sections and %%% breaks; 1 to 20 KB, median about 4 KB; each page has --revisions
revisions, each one a few small edits of the one before (as real histories are). Revisions are
converted in import order (a page's revisions one after the other, page after page), with a
link_target as the importer's (a pure function of the page name).

The frozen copy: the three syntax modules of the commit this work started from, kept in
/tmp/tiki_syntax_baseline/ (copied from `git show HEAD:` when missing) and imported from there as
the package `tiki_syntax_baseline`.

(c) The current converter through `convert_many(..., processes=N)`: revisions per second of
wall clock with N worker processes (--processes, default 2; 1 skips it).

Prints the load average before each run, CPU ms per revision (median, p95, mean), revisions
per second (wall clock) and CPU time for each converter, and checks that both give the same
conversion (Markdown, links, files, doubts and notes) for every revision; a difference is
printed and exits 1.

    .venv/bin/python bench/tiki_convert.py [--pages 150] [--revisions 20] [--seed 15]
        [--processes 2]
"""

import argparse
import gc
import importlib
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASELINE_DIR = Path("/tmp/tiki_syntax_baseline")
MODULES = ("syntax_inline", "syntax_plugins", "syntax")
GOAL_MS = 1.0

# --- The frozen copy ------------------------------------------------------------------------


def baseline_package() -> ModuleType:
    """The converter as it was: BASELINE_DIR/<module>.py, imports renamed into its own package."""
    package = BASELINE_DIR / "pkg" / "tiki_syntax_baseline"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for name in MODULES:
        frozen = BASELINE_DIR / f"{name}.py"
        if not frozen.exists():
            source = subprocess.run(
                ["git", "show", f"HEAD:wikispiral/wiki/tiki/{name}.py"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            frozen.write_text(source)
        text = frozen.read_text()
        text = text.replace(
            "from wikispiral.wiki.tiki import ", "from tiki_syntax_baseline import "
        )
        text = text.replace("wikispiral.wiki.tiki.syntax", "tiki_syntax_baseline.syntax")
        (package / f"{name}.py").write_text(text)
    sys.path.insert(0, str(package.parent))
    return importlib.import_module("tiki_syntax_baseline.syntax")


# --- Synthetic pages ------------------------------------------------------------------------

PROSE = {
    "fr": (
        "le bien-être de tous est une responsabilité partagée entre les citoyens et les "
        "institutions ; chaque groupe homogène exprime ses critères à partir de trois questions "
        "simples : qu'est-ce que le bien-être pour vous, le mal-être, et que faites-vous pour "
        "y contribuer ? la plateforme de coordination réunit les acteurs du territoire, élus, "
        "associations, entreprises et habitants, qui construisent ensemble des indicateurs "
        "de progrès sociétal et des plans d'action concrets pour les générations futures"
    ),
    "pt": (
        "o bem-estar de todos é uma responsabilidade partilhada entre os cidadãos e as "
        "instituições ; cada grupo homogéneo exprime os seus critérios a partir de três "
        "perguntas simples : o que é para si o bem-estar, o mal-estar, e o que faz para "
        "contribuir ? a plataforma de coordenação reúne os atores do território, eleitos, "
        "associações, empresas e habitantes, que constroem em conjunto indicadores de "
        "progresso societal e planos de ação concretos para as gerações futuras"
    ),
    "en": (
        "the well-being of all is a responsibility shared between citizens and institutions ; "
        "each homogeneous group expresses its criteria from three simple questions : what is "
        "well-being for you, ill-being, and what do you do to contribute ? the coordination "
        "platform brings together the actors of the territory, elected officials, "
        "associations, companies and inhabitants, who build together indicators of societal "
        "progress and concrete action plans for future generations (50% of them, 2024)"
    ),
}
WORDS = {lang: text.split() for lang, text in PROSE.items()}
PAGES = [
    "SPIRAL",
    "Accueil",
    "History of TOGETHER's activities",
    "Plataforma de coordenação",
    "Groupes homogènes",
    "Mulhouse",
    "Braga",
    "Criteria",
    "Méthodologie",
    "Contacts",
]


def sentence(rng: random.Random, lang: str) -> str:
    words = WORDS[lang]
    start = rng.randrange(len(words))
    picked = [words[(start + i) % len(words)] for i in range(rng.randint(6, 22))]
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        at = rng.randrange(len(picked))
        picked[at] = markup(rng, picked[at])
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", " !", " ?", "%%%"))


def markup(rng: random.Random, word: str) -> str:
    page = rng.choice(PAGES)
    return rng.choice(
        (
            f"__{word}__",
            f"''{word}''",
            f"((({page}))",
            f"(({page}|{word}))",
            f"(({page}#intro|{word}))",
            f"[http://www.example.org/{rng.randrange(999)}/|{word}]",
            f"[https://spiral.example.net/x?id={rng.randrange(99)}]",
            f"-+{word}+-",
            f"==={word}===",
            f"--{word}--",
            f"{word}%%%",
            f"~~red:{word}~~",
            f"{word} -- {word}",
            f'{{img fileId={rng.randrange(1, 900)} alt="{word}"}}',
        )
    )


def paragraph(rng: random.Random, lang: str) -> str:
    return "\n".join(sentence(rng, lang) for _ in range(rng.randint(1, 5)))


def block(rng: random.Random, lang: str) -> str:
    kind = rng.choices(
        (
            "para",
            "heading",
            "list",
            "olist",
            "table",
            "div",
            "box",
            "split",
            "fancy",
            "np",
            "img",
            "rule",
            "centre",
            "def",
        ),
        weights=(40, 12, 8, 4, 4, 3, 2, 1, 2, 2, 2, 1, 1, 1),
    )[0]
    s = lambda: sentence(rng, lang)  # noqa: E731
    if kind == "heading":
        return "!" * rng.choice((1, 2, 2, 3)) + rng.choice(("", "", "#")) + s()[:40]
    if kind == "list":
        lines = []
        for _ in range(rng.randint(2, 7)):
            lines.append("*" * rng.choice((1, 1, 2)) + " " + s())
            if rng.random() < 0.1:
                lines.append("+ " + s())
        return "\n".join(lines)
    if kind == "olist":
        return "\n".join("#" * rng.choice((1, 1, 2)) + " " + s() for _ in range(rng.randint(2, 6)))
    if kind == "table":
        head = "||__" + "__|__".join(rng.sample(WORDS[lang], 3)) + "__\n"
        cells = lambda: "|".join(" ".join(rng.sample(WORDS[lang], 2)) for _ in range(3))  # noqa: E731
        rows = "\n".join(cells() for _ in range(rng.randint(2, 6)))
        return head + rows + "||"
    if kind == "div":
        return f"{{DIV(class=encadre)}}\n{paragraph(rng, lang)}\n{{DIV}}"
    if kind == "box":
        return f'{{BOX(title="{s()[:30]}", bg=#eef)}}\n{paragraph(rng, lang)}\n{{BOX}}'
    if kind == "split":
        return f"{{SPLIT()}}\n{paragraph(rng, lang)}\n---\n{paragraph(rng, lang)}\n{{SPLIT}}"
    if kind == "fancy":
        rows = "\n".join(
            " ~|~ ".join(" ".join(rng.sample(WORDS[lang], 2)) for _ in range(3))
            for _ in range(rng.randint(2, 8))
        )
        return f'{{FANCYTABLE(head="A~|~B~|~C")}}\n{rows}\n{{FANCYTABLE}}'
    if kind == "np":
        return f"~np~{s()} __{rng.choice(WORDS[lang])}__ ((x))~/np~ {s()}"
    if kind == "img":
        return f"{{img src=img/wiki_up/photo{rng.randrange(99)}.jpg alt=photo}}\n{s()}"
    if kind == "rule":
        return "----"
    if kind == "centre":
        return f"::{s()}::"
    if kind == "def":
        return f";{rng.choice(WORDS[lang])}:{s()}"
    return paragraph(rng, lang)


def page_size(rng: random.Random) -> int:
    return int(min(20_000, max(1_000, rng.lognormvariate(8.3, 0.6))))  # median e^8.3 ≈ 4 KB


def first_revision(rng: random.Random) -> list[str]:
    lang = rng.choice(("fr", "fr", "pt", "en"))
    size = page_size(rng)
    blocks = ["{maketoc}"] if rng.random() < 0.3 else []
    while sum(len(b) + 2 for b in blocks) < size:
        blocks.append(block(rng, lang))
    return blocks


def edit(rng: random.Random, blocks: list[str]) -> list[str]:
    """The next revision: one to three small edits."""
    blocks = list(blocks)
    lang = rng.choice(("fr", "pt", "en"))
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(blocks))
        action = rng.random()
        if action < 0.5:  # a word changed in one line
            lines = blocks[at].split("\n")
            i = rng.randrange(len(lines))
            words = lines[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS[lang])
            lines[i] = " ".join(words)
            blocks[at] = "\n".join(lines)
        elif action < 0.7:  # a sentence added to a paragraph
            blocks[at] = blocks[at] + "\n" + sentence(rng, lang)
        elif action < 0.85:  # a new block
            blocks.insert(at, block(rng, lang))
        elif sum(len(b) + 2 for b in blocks) - len(blocks[at]) > 1_000:  # a block removed
            del blocks[at]
    return blocks


def histories(pages: int, revisions: int, seed: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    for _ in range(pages):
        blocks = first_revision(rng)
        texts = []
        for _ in range(revisions):
            texts.append("\n\n".join(blocks))
            blocks = edit(rng, blocks)
        yield texts


def link_target(name: str) -> str | None:
    return "network:" + name.lower().replace(" ", "-") if name in PAGES else None


# --- Measuring --------------------------------------------------------------------------------


def run(convert: Callable[..., Any], pages: list[list[str]]) -> tuple[dict[str, float], list[Any]]:
    load = os.getloadavg()[0]
    times: list[float] = []
    results: list[Any] = []
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for texts in pages:
        for text in texts:
            started = time.thread_time()  # CPU time: other processes on the machine left out
            results.append(convert(text, link_target=link_target))
            times.append(time.thread_time() - started)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    times.sort()
    figures = {
        "load": load,
        "median": statistics.median(times) * 1000,
        "p95": times[int(len(times) * 0.95)] * 1000,
        "mean": cpu / len(times) * 1000,
        "per_second": len(times) / wall,
        "cpu": cpu,
        "wall": wall,
    }
    return figures, results


def summary(conversion: Any) -> tuple[Any, ...]:
    def doubts(items: list[Any]) -> list[tuple[str, str, str]]:
        return [(d.construct, d.source, d.message) for d in items]

    return (
        conversion.markdown,
        conversion.links,
        [(f.kind, f.ref, f.alt) for f in conversion.files],
        doubts(conversion.doubts),
        doubts(conversion.notes),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--revisions", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--processes", type=int, default=2, help="for (c); 1 to skip it")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wikispiral.settings")
    import django

    django.setup()
    from wikispiral.wiki.tiki import syntax, syntax_inline

    baseline = baseline_package()
    pages = list(histories(args.pages, args.revisions, args.seed))
    sizes = sorted(len(t.encode()) for texts in pages for t in texts)
    count = len(sizes)
    print(
        f"{args.pages} pages x {args.revisions} revisions = {count} revisions; size median "
        f"{statistics.median(sizes) / 1024:.1f} KB, min {sizes[0] / 1024:.1f} KB, "
        f"max {sizes[-1] / 1024:.1f} KB; {os.cpu_count()} CPUs"
    )
    runs = [("baseline (frozen copy)", baseline.convert), ("current", syntax.convert)]
    outputs = []
    print("per revision: CPU ms (median, p95, mean); revisions per second of wall clock")
    print(f"{'converter':24} {'load':>5} {'median ms':>10} {'p95 ms':>8} {'mean ms':>8} "
          f"{'rev/s':>8} {'CPU s':>7}")  # fmt: skip
    for label, convert in runs:
        figures, results = run(convert, pages)
        outputs.append(results)
        print(
            f"{label:24} {figures['load']:5.2f} {figures['median']:10.3f} {figures['p95']:8.3f} "
            f"{figures['mean']:8.3f} {figures['per_second']:8.0f} {figures['cpu']:7.2f}"
        )
    if args.processes > 1:  # (c) convert_many in worker processes: wall clock only
        syntax_inline.clear_memo()
        load = os.getloadavg()[0]
        wall = time.perf_counter()
        converted = syntax.convert_many(pages, processes=args.processes, link_target=link_target)
        many = [conversion for history in converted for conversion in history]
        wall = time.perf_counter() - wall
        label = f"convert_many, {args.processes} proc."
        print(f"{label:24} {load:5.2f} {'':>10} {'':>8} {'':>8} {count / wall:8.0f} {'':>7}")
        outputs.append(many)
    differences = 0
    for index, (old, *news) in enumerate(zip(*outputs, strict=True)):
        new = next((n for n in news if summary(n) != summary(old)), news[0])
        if summary(old) != summary(new):
            differences += 1
            if differences <= 5:
                page, revision = divmod(index, args.revisions)
                print(f"DIFFERENCE page {page} revision {revision}:")
                parts = ("markdown", "links", "files", "doubts", "notes")
                for part, a, b in zip(parts, summary(old), summary(new), strict=True):
                    if a != b:
                        print(f"  {part}: baseline {a!r:.300}\n  {part}: current  {b!r:.300}")
    print(f"identical conversions: {count - differences}/{count}; differences: {differences}")
    print(f"goal: well under {GOAL_MS} ms per revision on average")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
