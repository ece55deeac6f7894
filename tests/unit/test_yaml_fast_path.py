"""Config files are parsed by libyaml when PyYAML has it (issue 17: 2 ms for a deal file
instead of 16), and read exactly as PyYAML's own parser reads them: the same values, and for
a file that is wrong, the same message naming the same line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustsim.config import ConfigError, load
from trustsim.config.load import MAX_DEPTH, _parse_yaml, _read_yaml, _StrictLoader
from trustsim.disclosure.rules import _safe_load

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


def test_libyaml_is_there_to_be_used():
    assert load._FastLoader is not None


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT / "configs")))
def test_every_bundled_config_reads_the_same_through_libyaml(path):
    text = path.read_text(encoding="utf-8")
    pure = yaml.load(text, Loader=_StrictLoader)
    assert repr(yaml.load(text, Loader=load._FastLoader)) == repr(pure)  # types too: 1, 1.0 and True differ
    assert repr(_parse_yaml(text)) == repr(pure)
    if path.parent.name == "disclosure":
        assert repr(_safe_load(text)) == repr(yaml.safe_load(text))


BAD = {
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "date that does not exist": "start: 2020-02-30\n",
    "tab for indentation": "a:\n\tb: 1\n",
    "unclosed quote": "a: 'open\nb: 2\n",
    "mapping inside a plain value": "a: b: c\n",
    "nested 65 deep": "a: " + "[" * 64 + "]" * 64 + "\n",
    "nested 2000 deep (past libyaml's own limit)": "a: " + "[" * 2000 + "]" * 2000 + "\n",
    "unknown tag": "a: !!python/object:os.system x\n",
    "top level not a mapping": "- a\n- b\n",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_a_bad_file_says_what_pyyaml_alone_would_say(tmp_path, monkeypatch, text):
    p = tmp_path / "cfg.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as fast:
        _read_yaml(p)
    monkeypatch.setattr(load, "_FastLoader", None)
    with pytest.raises(ConfigError) as pure:
        _read_yaml(p)
    assert str(fast.value) == str(pure.value)


def test_nesting_at_the_limit_is_read(tmp_path):
    """64 levels (the top mapping is level 1, its value's lists the next 62, the innermost
    scalar the 64th) pass on the fast path."""
    text = "a: " + "[" * 62 + "x" + "]" * 62 + "\n"
    data = _parse_yaml(text)
    assert repr(data) == repr(yaml.load(text, Loader=_StrictLoader))
    assert load._within_depth(data) and not load._within_depth(data, MAX_DEPTH - 1)


def test_an_alias_deeper_than_the_limit_once_expanded_is_read_as_pyyaml_reads_it():
    """An alias is one node where it is used, however deep what it names: PyYAML accepts it;
    the expanded data is deeper than the limit, so the fast path defers to PyYAML."""
    deep = "[" * 40 + "x" + "]" * 40
    text = f"a: &d {deep}\nb: {'[' * 40}*d{']' * 40}\n"
    data = _parse_yaml(text)
    assert not load._within_depth(data)
    assert repr(data) == repr(yaml.load(text, Loader=_StrictLoader))
