"""The engine knows no deal: no string in trustsim/ names a class of a bundled deal.

A deal is a YAML file; the engine takes class names from it (``deal.classes``, the
waterfalls' actions, ``deal.triggers``). A literal ``"senior"`` in the engine would make a
new deal whose classes are named otherwise run wrong, or fail, without a word. The names
are read from every bundled deal (configs/deals/*.yaml) when the test runs, so a new deal's
names are checked as soon as it is added. Docstrings may speak of the bundled deal; code
may not. A name counts as a whole token: ``senior_interest`` names ``senior`` (underscores
separate), ``seniority`` does not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "trustsim"
DEALS = sorted((ROOT / "configs" / "deals").glob("*.yaml"))


def class_names() -> dict[str, str]:
    """Every bundled deal's class names, each with the first deal file that has it."""
    names: dict[str, str] = {}
    for path in DEALS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        classes = data.get("classes") if isinstance(data, dict) else None
        assert isinstance(classes, list) and classes, f"{path.name}: no classes list"
        for c in classes:
            names.setdefault(c["name"], path.name)
    return names


def token(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])")


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (a module's, a class's, a function's)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def offenders_in(source: str, where: str, names: dict[str, str]) -> list[str]:
    """``where:line: 'literal' names NAME (deal file)`` for each string constant naming a class."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    patterns = {name: token(name) for name in names}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        for name, pattern in patterns.items():
            if pattern.search(node.value):
                found.append(((node.lineno, node.col_offset, name),
                              f"{where}:{node.lineno}: {node.value!r} names {name} ({names[name]})"))
    return [text for _, text in sorted(found)]


def offenders() -> list[str]:
    names = class_names()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += offenders_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), names)
    return found


# ---------------------------------------------------------------- the scanner itself
SAMPLE = '''"""A module about the senior class."""

def pay(deal):
    """Pays the senior first."""
    step = "senior_interest"
    label = f"{deal.name}: mezz principal"
    return step, label, "seniority", "subordinated_fee", "sub"
'''


def test_the_scanner_finds_names_as_tokens_in_code_and_never_in_docstrings():
    names = {"senior": "a.yaml", "mezz": "a.yaml", "sub": "a.yaml", "subordinated": "b.yaml"}
    assert offenders_in(SAMPLE, "m.py", names) == [
        "m.py:5: 'senior_interest' names senior (a.yaml)",
        "m.py:6: ': mezz principal' names mezz (a.yaml)",
        "m.py:7: 'subordinated_fee' names subordinated (b.yaml)",
        "m.py:7: 'sub' names sub (a.yaml)",
    ]


def test_every_bundled_deal_names_its_classes():
    names = class_names()
    assert len(DEALS) >= 1
    assert {"senior", "mezz", "sub"} <= set(names)


# ---------------------------------------------------------------- the engine
def test_no_string_in_the_engine_names_a_bundled_deal_s_class():
    found = offenders()
    assert not found, f"{len(found)} string(s) in trustsim/ name a deal's class:\n" + "\n".join(found)
