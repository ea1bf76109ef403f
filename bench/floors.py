"""Floors (issue 14): how one-way the house is, in the working tree and at a baseline commit.

For each tree it reads the product code as text (no import, no database) and prints:

- app-level import cycles among the eight apps (territories, criteria, syntheses, projects,
  wikispiral.wiki, .accounts, .audit, .jobs): the pairs that import each other directly, and the
  strongly connected components of more than one app;
- upward imports: import statements (inside functions too) from a lower floor to a higher one,
  with the floors of the working tree's `[tool.importlinter]` contract in pyproject.toml;
- cross-app `.objects` writes (see `objects_writes` for the approximation);
- the largest product modules, in lines;
- models with a `tenant` foreign key whose default manager does not enforce scopes
  (`ScopedManager`, or `ScopedOrSharedManager` for rows the network shares);
- the pairs of repeated code reported by `duplicates --most 200`, and those not boilerplate.

Migrations, tests and bench are left out everywhere. The baseline is checked out into a
temporary git worktree, removed at the end.

    .venv/bin/python bench/floors.py [--baseline 3e4d734]
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("wikispiral", "territories", "criteria", "syntheses", "projects")
APPS = (
    "territories",
    "criteria",
    "syntheses",
    "projects",
    "wikispiral.wiki",
    "wikispiral.accounts",
    "wikispiral.audit",
    "wikispiral.jobs",
)
WRITES = {"create", "update", "delete", "bulk_create", "get_or_create", "update_or_create", "save"}
# Calls that hand back one row of the model they were called on, for `row = X.objects.get(...)`.
ROW_GETTERS = {"get", "first", "last", "create", "get_or_create", "update_or_create"}


def floors_from_contract() -> list[list[str]]:
    """The layers of the working tree's floors contract, highest first, each a list of modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "layers")
    return [[m.strip() for m in re.split(r"[:|]", layer)] for layer in contract["layers"]]


def owner(module: str, prefixes: list[str]) -> str | None:
    """The longest prefix that module is or lies under, or None."""
    best = None
    for prefix in prefixes:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return best


@dataclass
class Figures:
    app_edges: set[tuple[str, str]] = field(default_factory=set)
    upward: Counter = field(default_factory=Counter)
    writes: Counter = field(default_factory=Counter)
    sizes: list[tuple[int, str]] = field(default_factory=list)
    unscoped: list[str] = field(default_factory=list)
    duplicates: str = ""


class Tree:
    def __init__(self, root: Path, floors: list[list[str]]) -> None:
        self.root = root
        self.floor_of = {m: len(floors) - i for i, layer in enumerate(floors) for m in layer}
        self.files = sorted(
            path
            for package in PACKAGES
            for path in (root / package).rglob("*.py")
            if "migrations" not in path.relative_to(root).parts
        )

    def module_name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def is_module(self, name: str) -> bool:
        base = self.root.joinpath(*name.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    def imported(
        self, node: ast.Import | ast.ImportFrom, module: str, path: Path
    ) -> list[tuple[str, bool]]:
        """The modules an import statement reaches, each with whether the name it binds is that
        module (`from package import module`) rather than a name inside it."""
        if isinstance(node, ast.Import):
            return [(alias.name, True) for alias in node.names]
        base = node.module or ""
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        return [
            (f"{base}.{alias.name}", True)
            if self.is_module(f"{base}.{alias.name}")
            else (base, False)
            for alias in node.names
        ]

    def floor(self, module: str) -> int | None:
        prefix = owner(module, list(self.floor_of))
        return None if prefix is None else self.floor_of[prefix]

    def measure(self) -> Figures:
        figures = Figures()
        for path in self.files:
            module = self.module_name(path)
            text = path.read_text()
            tree = ast.parse(text, filename=str(path))
            app = owner(module, list(APPS))
            floor = self.floor(module)
            foreign_names: set[str] = set()
            foreign_modules: set[str] = set()
            for node in ast.walk(tree):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                targets = self.imported(node, module, path)
                if floor is not None and any((self.floor(t) or 0) > floor for t, _ in targets):
                    figures.upward[module] += 1
                for alias, (target, binds_module) in zip(node.names, targets, strict=True):
                    target_app = owner(target, list(APPS))
                    if not target_app or target_app == app:
                        continue
                    if app:
                        figures.app_edges.add((app, target_app))
                    local = alias.asname or alias.name.split(".")[0]
                    (foreign_modules if binds_module else foreign_names).add(local)
            if foreign_names or foreign_modules:
                count = objects_writes(tree, foreign_names, foreign_modules)
                if count:
                    figures.writes[module] = count
            if not path.name.startswith("test") and "tests" not in path.parts:
                figures.sizes.append((len(text.splitlines()), str(path.relative_to(self.root))))
        figures.sizes.sort(reverse=True)
        figures.unscoped = unscoped_models(self.root)
        figures.duplicates = duplicates(self.root)
        return figures


def chain_root(node: ast.expr) -> tuple[ast.expr, list[str]]:
    """The expression a chain of attributes and calls starts from, and the attributes on the way
    (from the root outwards)."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return node, names[::-1]


def foreign_model(root: ast.expr, names: list[str], foreign: set[str], modules: set[str]) -> bool:
    """Whether the chain starts at a name imported from another app (X, or mod.X where mod is
    another app's module)."""
    if isinstance(root, ast.Name) and root.id in foreign:
        return True
    return isinstance(root, ast.Name) and root.id in modules and bool(names)


def objects_writes(tree: ast.Module, foreign: set[str], modules: set[str]) -> int:
    """Approximate count of writes on another app's models: a call of a write method at the end
    of a chain `X.objects....write(...)` where X (or mod.X) is imported from another app; plus,
    inside a function, `row.save()` / `row.delete()` where row is a parameter annotated `X` or was
    assigned from `X(...)` or `X.objects....get/first/last/create(...)` in that function (no
    further data flow: rows from loops, other calls or attributes are not followed)."""
    count = 0
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
        ):
            root, names = chain_root(node.func)
            if "objects" in names[:2] and foreign_model(root, names, foreign, modules):
                count += 1
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        # Parameters annotated with another app's model (`group: HomogeneousGroup`) are rows too.
        rows = {
            arg.arg
            for arg in (*function.args.args, *function.args.kwonlyargs)
            if isinstance(arg.annotation, ast.Name)
            and arg.annotation.id in foreign
            and arg.annotation.id[:1].isupper()
        }
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                root, names = chain_root(node.value)
                # Built as X(...): only a class (a capitalised name) makes a row.
                built = names[-1] if names else getattr(root, "id", "")
                direct = built[:1].isupper() and (
                    not names or (isinstance(root, ast.Name) and root.id in modules)
                )
                fetched = "objects" in names[:2] and names[-1] in ROW_GETTERS
                if foreign_model(root, names, foreign, modules) and (
                    fetched or (direct and len(names) <= 1)
                ):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            rows.add(target.id)
                        elif isinstance(target, ast.Tuple) and target.elts:
                            first = target.elts[0]  # row, created = X.objects.get_or_create()
                            if isinstance(first, ast.Name):
                                rows.add(first.id)
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"save", "delete"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in rows
            ):
                count += 1
    return count


# Managers that refuse a query outside a scope (wikispiral/tenancy.py, django-scopes).
SCOPE_ENFORCING_MANAGERS = {"ScopedManager", "ScopedOrSharedManager"}


def unscoped_models(root: Path) -> list[str]:
    """Concrete models (in models.py files or models/ packages) that have a `tenant` foreign key,
    their own or inherited from a base in the same files, whose default manager (the first one
    declared, own or inherited) does not enforce scopes."""
    classes: dict[str, tuple[str, list[str], bool, bool, bool]] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or not (path.name == "models.py" or "models" in parts[:-1]):
                continue
            for node in ast.parse(path.read_text()).body:
                if not isinstance(node, ast.ClassDef):
                    continue
                tenant = scoped = abstract = False
                default_manager: str | None = None
                for statement in node.body:
                    if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value:
                        targets = (
                            statement.targets
                            if isinstance(statement, ast.Assign)
                            else [statement.target]
                        )
                        called = call_name(statement.value)
                        if any(isinstance(t, ast.Name) and t.id == "tenant" for t in targets):
                            tenant = called in {"ForeignKey", "OneToOneField"}
                        # The first manager declared is the default one: it must enforce scopes.
                        if default_manager is None and (called or "").endswith("Manager"):
                            default_manager = called
                            scoped = called in SCOPE_ENFORCING_MANAGERS
                    if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                        abstract = "abstract = True" in ast.unparse(statement)
                bases = [ast.unparse(b).rpartition(".")[2] for b in node.bases]
                label = f"{path.relative_to(root).parts[0]}.{node.name}"
                classes[node.name] = (label, bases, tenant, scoped, abstract)

    def inherited(name: str, index: int, seen: frozenset = frozenset()) -> bool:
        if name not in classes or name in seen:
            return False
        entry = classes[name]
        return entry[index] or any(inherited(b, index, seen | {name}) for b in entry[1])

    return sorted(
        label
        for name, (label, _, _, _, abstract) in classes.items()
        if not abstract and inherited(name, 2) and not inherited(name, 3)
    )


def call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        return ast.unparse(node.func).rpartition(".")[2]
    return None


def duplicates(root: Path) -> str:
    """`duplicates --most 200` over a copy of the product code (the five packages and templates,
    without migrations), so that tests, bench and data stay out; returns its first line."""
    if not shutil.which("duplicates"):
        return "duplicates: command not found"
    with tempfile.TemporaryDirectory(prefix="floors-dup-") as copy:
        for package in (*PACKAGES, "templates"):
            if (root / package).is_dir():
                shutil.copytree(
                    root / package,
                    Path(copy) / package,
                    ignore=shutil.ignore_patterns("migrations", "__pycache__", "fixtures"),
                )
        result = subprocess.run(
            ["duplicates", "--most", "200", "--seconds", "60", "--repo", copy],
            capture_output=True,
            text=True,
            check=False,
        )
    return result.stdout.splitlines()[0] if result.stdout else result.stderr.strip()


def cycles(edges: set[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """Pairs of apps that import each other directly; strongly connected components (> 1 app)."""
    pairs = sorted((a, b) for a, b in edges if (b, a) in edges and a < b)
    reach = {app: {b for a, b in edges if a == app} for app in APPS}
    changed = True
    while changed:
        changed = False
        for app in APPS:
            more = (
                set().union(*(reach[b] for b in reach[app])) - reach[app] if reach[app] else set()
            )
            if more:
                reach[app] |= more
                changed = True
    components: list[list[str]] = []
    for app in APPS:
        component = sorted({app} | {b for b in reach[app] if app in reach[b]})
        if len(component) > 1 and component not in components:
            components.append(component)
    return pairs, components


def report(title: str, figures: Figures) -> None:
    pairs, components = cycles(figures.app_edges)
    print(f"== {title}")
    print(f"app-level cycles: {len(pairs)} pairs of apps importing each other directly")
    for a, b in pairs:
        print(f"    {a} <-> {b}")
    print(f"  strongly connected components of more than one app: {len(components)}")
    for component in components:
        print(f"    {' , '.join(component)}")
    print(
        f"upward imports: {sum(figures.upward.values())} import statements "
        f"in {len(figures.upward)} modules"
    )
    for module, count in sorted(figures.upward.items()):
        print(f"    {module}: {count}")
    print(
        f"cross-app .objects writes: {sum(figures.writes.values())} "
        f"in {len(figures.writes)} modules"
    )
    for module, count in sorted(figures.writes.items(), key=lambda item: (-item[1], item[0])):
        print(f"    {module}: {count}")
    print("largest product modules (lines): " + ", ".join(f"{p} {n}" for n, p in figures.sizes[:4]))
    print(f"  modules over 600 lines: {sum(1 for n, _ in figures.sizes if n > 600)}")
    print(f"models with a tenant and no ScopedManager: {len(figures.unscoped)}")
    if figures.unscoped:
        print("    " + ", ".join(figures.unscoped))
    line = figures.duplicates
    match = re.match(r"(\d+) pairs.*?(\d+) of those marked boilerplate", line)
    if match:
        total, boilerplate = int(match[1]), int(match[2])
        print(f"repeated code: {total - boilerplate} pairs not boilerplate ({total} in all)")
    print(f"  duplicates: {line}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="3e4d734", help="commit to compare with")
    args = parser.parse_args()
    floors = floors_from_contract()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print("floors (highest first, from pyproject.toml's contract):")
    for layer in floors:
        print("    " + ", ".join(layer))
    print()
    report(f"working tree (HEAD {head} and uncommitted changes)", Tree(ROOT, floors).measure())
    worktree = Path(tempfile.gettempdir()) / f"floors-baseline-{os.getpid()}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.baseline],
        capture_output=True,
        check=True,
    )
    try:
        report(f"baseline {args.baseline}", Tree(worktree, floors).measure())
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
            capture_output=True,
            check=False,
        )
    print("edges and cycles: direct imports between modules of the eight apps, inside functions")
    print("too; upward: one count per import statement that reaches a higher floor.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
