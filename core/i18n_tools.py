"""Keeping the message catalogue: find every message id in the code, update the ``.po``, compile the ``.mo``.

``make messages`` (``python -m core.i18n_tools``) runs :func:`update`: it scans the code (AST, no import),
adds new message ids to ``core/locale/id/LC_MESSAGES/pengkom.po`` with an empty translation, marks the ones
no longer used obsolete, and compiles the ``.mo`` that :mod:`core.i18n` reads at run time (committed, so a
fresh clone needs no build step). Babel (a test/development tool here) reads and writes the files; the
running server needs only the stdlib :mod:`gettext`.

A message id is, in the packages ``core``, ``api``, ``plugins``, ``projections`` and ``reports``:
- the literal first argument of ``msg(...)`` or ``N_(...)``;
- the literal message of a domain error (``Invalid("...")`` and every other subclass of ``DomainError``);
- the ``title`` of a domain error class;
- the literal title and detail of ``problem(request, status, "title", "detail")``.
An f-string given to a domain error is an error of its own (:func:`untranslatable`): it cannot be translated.
"""
from __future__ import annotations

import ast
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "api", "plugins", "projections", "reports")
PO = ROOT / "core" / "locale" / "id" / "LC_MESSAGES" / "pengkom.po"
MO = PO.with_suffix(".mo")
_ROOT_ERRORS = {"DomainError"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def error_classes(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """Names of DomainError and every class deriving from it anywhere in the code."""
    names = set(_ROOT_ERRORS)
    classes = [n for _, tree in modules for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            if cls.name not in names and any(_name(b) in names for b in cls.bases):
                names.add(cls.name)
                grew = True
    return names


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def scan() -> tuple[dict[str, list[str]], list[str]]:
    """Every message id with where it is used, and every f-string given to a domain error (untranslatable)."""
    modules = list(_modules())
    errors = error_classes(modules)
    found: dict[str, list[str]] = {}
    bad: list[str] = []

    def add(text: str | None, where: str) -> None:
        if text:
            found.setdefault(text, []).append(where)

    for path, tree in modules:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in errors:
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and any(_name(t) == "title" for t in stmt.targets):
                        add(_literal(stmt.value), f"{rel}:{stmt.lineno}")
                    elif isinstance(stmt, ast.AnnAssign) and _name(stmt.target) == "title":
                        add(_literal(stmt.value), f"{rel}:{stmt.lineno}")
            if not isinstance(node, ast.Call):
                continue
            name, where = _name(node.func), f"{rel}:{node.lineno}"
            first = node.args[0] if node.args else None
            if name in ("msg", "N_"):
                add(_literal(first), where)
            elif name in errors and first is not None:
                add(_literal(first), where)
                if isinstance(first, ast.JoinedStr):
                    bad.append(f"{where}: {ast.unparse(first)[:80]}")
            elif name == "problem" and len(node.args) >= 4:
                add(_literal(node.args[2]), where)
                add(_literal(node.args[3]), where)
    return found, bad


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message (``{nip!r}`` → ``nip``)."""
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def update() -> int:
    """Bring the .po in line with the code and compile the .mo; returns the number of untranslated ids."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    found, bad = scan()
    for b in bad:
        print(f"untranslatable f-string message: {b}", file=sys.stderr)
    if PO.exists():
        with PO.open("rb") as f:
            old = read_po(f, locale="id")
    else:
        old = Catalog(locale="id")
    # The header keeps its dates: the files change when messages change, not each time the tool runs.
    new = Catalog(locale="id", domain="pengkom", project="pengkom", version="0.1.0",
                  language_team="pengkom <https://github.com/>", charset="utf-8",
                  creation_date=old.creation_date, revision_date=old.revision_date)
    for msgid in sorted(found):
        prev = old.get(msgid)
        # Files only, no line numbers: the catalogue changes when messages change, not when code moves.
        locations: list[Any] = [(path, None) for path in sorted({w.rsplit(":", 1)[0] for w in found[msgid]})]
        flags = ["python-brace-format"] if placeholders(msgid) else []
        new.add(msgid, prev.string if prev is not None else "", locations=locations, flags=flags)
    for message in old:
        if message.id and message.id not in found and message.string:
            new.obsolete[str(message.id)] = message
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, new, width=120, sort_output=True, include_previous=False)
    compile_mo()
    missing = sum(1 for m in new if m.id and not m.string)
    print(f"{PO.relative_to(ROOT)}: {len(found)} messages, {missing} without a translation")
    return missing


def compile_mo() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f, locale="id")
    with MO.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)


if __name__ == "__main__":
    sys.exit(1 if update() and "--check" in sys.argv else 0)
