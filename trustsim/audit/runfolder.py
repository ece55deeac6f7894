"""Reading a run folder back: the log, the summary, the resolved deal and the exposure table.

Why this module stands alone: an audit must work on a log written last year by another
version of the simulator, so it reads only the files a run leaves (``events.jsonl``,
``summary.json``, ``config.json``, and ``commingling.csv`` if there is one, which the audit
recomputes from the log) and never imports the simulator's actors. Every way a
folder can be unreadable is a :class:`RunFolderError` naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

EVENTS_FILE = "events.jsonl"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.json"
EXPOSURE_FILE = "commingling.csv"
#: the stamp every line of the log starts with, and the type of each
STAMP = {"seq": int, "day": int, "date": str, "actor": str, "event": str}


class RunFolderError(ValueError):
    """A run folder is missing, incomplete or not a trustsim log."""


@dataclass(frozen=True)
class RunFolder:
    """A run folder as read from disk."""

    path: Path
    events: tuple[dict[str, Any], ...]
    config: dict[str, Any]
    summary: dict[str, Any] | None
    exposure_csv: str | None = None     # commingling.csv, as written (None: the run has none)

    @property
    def events_path(self) -> Path:
        return self.path / EVENTS_FILE


def parse_events(data: bytes, source: str) -> tuple[dict[str, Any], ...]:
    """Parse JSON lines; each must be an object starting with the stamp fields."""
    events = []
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise RunFolderError(f"{source}: line {n}: not valid JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise RunFolderError(f"{source}: line {n}: expected a JSON object")
        for key, typ in STAMP.items():
            if not isinstance(obj.get(key), typ) or isinstance(obj.get(key), bool):
                raise RunFolderError(f"{source}: line {n}: field {key!r} missing or not "
                                     f"{typ.__name__}")
        events.append(obj)
    if not events:
        raise RunFolderError(f"{source}: the log is empty")
    return tuple(events)


def _read_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise RunFolderError(f"{path}: not valid JSON ({exc})") from None


def load_run(path: str | Path) -> RunFolder:
    """Read a run folder; raise :class:`RunFolderError` with an actionable message."""
    root = Path(path)
    if not root.exists():
        raise RunFolderError(f"{root}: no such run folder")
    if not root.is_dir():
        raise RunFolderError(f"{root}: not a folder (expected a run folder written by "
                             f"`trustsim run`)")
    events_path = root / EVENTS_FILE
    config_path = root / CONFIG_FILE
    for p in (events_path, config_path):
        if not p.is_file():
            raise RunFolderError(f"{p}: missing (is {root} a run folder written by "
                                 f"`trustsim run`?)")
    config = _read_json(config_path)
    if not isinstance(config, dict):
        raise RunFolderError(f"{config_path}: expected a JSON object")
    summary_path = root / SUMMARY_FILE
    summary = _read_json(summary_path) if summary_path.is_file() else None
    events = parse_events(events_path.read_bytes(), str(events_path))
    exposure_path = root / EXPOSURE_FILE
    try:
        exposure = exposure_path.read_text(encoding="utf-8") if exposure_path.is_file() else None
    except UnicodeDecodeError:
        raise RunFolderError(f"{exposure_path}: not UTF-8 text") from None
    return RunFolder(root, events, config, summary, exposure)
