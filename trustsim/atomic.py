"""Writing outputs so that a failed command leaves nothing half-written and nothing is lost.

Why one module: every file or folder a command produces goes through here, so three
promises are kept in one place.

* **Atomic.** An output is written under a temporary name beside its target and renamed
  into place only once complete; on any failure (an exception, Ctrl-C, SIGTERM) the
  temporary is removed. A temporary left by a run that was killed outright (SIGKILL, a
  power cut) carries its writer's pid in its name and is removed by the next command
  that writes the same target, once that pid is gone.
* **Nothing trustsim did not write is deleted or replaced.** A folder trustsim writes
  holds a marker file (:data:`MARKER`) naming the kind of output (``run``, ``report``,
  ...). An existing target may be replaced only if it is an earlier trustsim output of
  the same kind (a folder with that marker; a JSON file with the ``trustsim`` header; a
  Parquet file with the ``trustsim.kind`` metadata key) or an empty folder. The marker
  also lists what trustsim wrote in the folder, so a file the user put inside an earlier
  output stops its replacement too (nested trustsim outputs, such as a run's report, go
  with it). Anything else is an :class:`OutputError` that names it and says what to do.
* **Errors a user can fix, never tracebacks.** A target on a read-only file system, a
  full disk, an empty path: :class:`OutputError` with the path, the flag and the cause.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: the file in every folder trustsim writes; its content names the kind of output
MARKER = ".trustsim-output"
#: the header key of every JSON file trustsim writes as a command's output
JSON_HEADER = "trustsim"
#: the Parquet schema-metadata key of every Parquet file trustsim writes
PARQUET_KEY = b"trustsim.kind"

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<tag>tmp|old|probe)-(?P<pid>\d+)-[0-9a-f]{8}$")


class OutputError(Exception):
    """An output that cannot or must not be written; the message says which and why."""


#: the signal that asked this process to stop (SIGTERM, SIGHUP), or 0
_stop_signal = 0


def request_stop(signum: int) -> None:
    """Note that the process was asked to stop: no output is put in place after this.

    Why a note beside the exception the signal handler raises: Python may swallow that
    exception (raised inside a finalizer, it is only printed), and the run would then
    finish and rename its output into place as if nobody had asked it to stop.
    """
    global _stop_signal
    _stop_signal = signum


def stop_requested() -> int:
    """The signal that asked this process to stop, or 0."""
    return _stop_signal


def _refuse_if_stopping() -> None:
    if _stop_signal:
        raise SystemExit(128 + _stop_signal)


def _label(path: Path, flag: str | None) -> str:
    return f"{flag} {path}" if flag else str(path)


def _beside(path: Path, tag: str) -> Path:
    return path.parent / f".{path.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporaries of ``target`` left by writers that no longer run; return them.

    Only names of trustsim's own pattern (``.NAME.tmp-PID-XXXXXXXX``, ``.old-``,
    ``.probe-``) whose pid is gone are touched; a folder among them is removed whole only
    if it holds trustsim's marker, and otherwise only if it is empty (a writer killed
    between creating it and marking it).
    """
    removed: list[Path] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    prefix = f".{target.name}."
    for entry in parent.iterdir():
        if not entry.name.startswith(prefix):
            continue
        m = _TEMP.match(entry.name)
        if m is None or m["name"] != target.name or _pid_alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if (entry / MARKER).is_file():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.rmdir()
                except OSError:  # not empty and not marked: not provably ours
                    continue
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def folder_kind(path: Path) -> str | None:
    """The kind of trustsim output folder ``path`` is, or None."""
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def file_kind(path: Path) -> str | None:
    """The kind of trustsim output file ``path`` is (JSON header or Parquet metadata), or None."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            with open(path, "rb") as f:
                data = json.loads(f.read(64 << 20))
            header = data.get(JSON_HEADER) if isinstance(data, dict) else None
            kind = header.get("kind") if isinstance(header, dict) else None
            return kind if isinstance(kind, str) else None
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            meta = pq.read_schema(path).metadata or {}
            value = meta.get(PARQUET_KEY)
            return value.decode() if value else None
    except Exception:  # not ours: unreadable, not JSON, not Parquet
        return None
    return None


def json_header(kind: str) -> dict[str, Any]:
    """The header a JSON output carries under :data:`JSON_HEADER`, naming its kind."""
    return {"kind": kind, "writer": "trustsim"}


def _probe(target: Path, flag: str | None) -> None:
    """Fail now, not after the work, if nothing can be written beside ``target``."""
    for ancestor in target.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"{_label(target, flag)}: {ancestor} is a file, not a folder; "
                                  "choose a path inside a folder")
            break
    with _os_errors(target, flag):
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = _beside(target, "probe")
        probe.mkdir()
        probe.rmdir()


def check_folder_target(out: str | Path, kind: str, flag: str | None = None, probe: bool = True) -> None:
    """Refuse (:class:`OutputError`) a folder target trustsim may not replace, or cannot write.

    Commands call it before long work, so that a refused target costs the user nothing;
    ``probe`` also tries creating (and removing) a temporary beside it.
    """
    out = Path(out)
    _refuse_foreign_folder(out, kind, _label(out, flag))
    if probe:
        _probe(out, flag)


def _manifest(folder: Path) -> set[str]:
    """What trustsim wrote in an output folder, as its marker lists it (relative paths)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()


def _entries(folder: Path) -> list[str]:
    """Every file and folder below ``folder`` (relative paths, the marker excluded)."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        out += [str(rel / name) for name in dirs + files]
    return sorted(e for e in out if e != MARKER)


def _foreign_entries(folder: Path) -> list[str]:
    """Entries of an earlier trustsim output that trustsim did not write there.

    Listed in the marker's manifest, or themselves trustsim outputs (a report folder the
    user wrote into a run folder, an audit JSON beside it): trustsim's. Anything else is
    the user's, and replacing the folder would delete it.
    """
    written = _manifest(folder)
    foreign: list[str] = []
    nested: list[str] = []
    for rel in _entries(folder):
        if rel in written or any(rel.startswith(n + os.sep) for n in nested):
            continue
        path = folder / rel
        if path.is_dir() and not path.is_symlink() and folder_kind(path) is not None:
            nested.append(rel)
            continue
        if path.is_file() and not path.is_symlink() and file_kind(path) is not None:
            continue
        if any(w.startswith(rel + os.sep) for w in written):  # a folder trustsim made
            continue
        foreign.append(rel)
    return foreign


def _refuse_foreign_folder(out: Path, kind: str, what: str) -> None:
    if out.is_symlink():
        raise OutputError(f"{what}: is a symbolic link; trustsim does not write through links. "
                          "Give the folder's own path, or another one.")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{what}: exists and is not a folder; trustsim writes a {kind} folder "
                          "there and replaces nothing it did not write. Choose another path.")
    if not out.exists():
        return
    here = Path.cwd().resolve()
    if here == out.resolve() or out.resolve() in here.parents:
        raise OutputError(f"{what}: is the current folder or holds it; trustsim replaces an output "
                          "folder whole, so run the command from outside it.")
    found = folder_kind(out)
    if found == kind:
        foreign = _foreign_entries(out)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise OutputError(f"{what}: is an earlier trustsim {kind} output, but it also holds what "
                              f"trustsim did not write there ({shown}); replacing it would delete "
                              "them. Move them away, or choose another folder.")
        return
    try:
        entries = sorted(p.name for p in out.iterdir())
    except OSError as exc:
        raise OutputError(f"{what}: cannot read the folder ({os_reason(exc)})") from None
    if not entries:
        return
    if found is not None:
        raise OutputError(f"{what}: holds a trustsim {found} output, not a {kind} output; choose "
                          "another folder (trustsim replaces only an earlier output of the same kind).")
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    raise OutputError(f"{what}: the folder exists and was not written by trustsim (it holds {shown}); "
                      "choose a new folder, or move its content away yourself. trustsim never "
                      "deletes what it did not write.")


def check_file_target(path: str | Path, kind: str, flag: str | None = None, probe: bool = True) -> None:
    """Refuse (:class:`OutputError`) a file target trustsim may not replace, or cannot write."""
    path = Path(path)
    what = _label(path, flag)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(f"{what}: exists and is not a regular file; choose another path.")
    if path.exists() and file_kind(path) != kind:
        raise OutputError(f"{what}: the file exists and is not an earlier trustsim {kind} output; "
                          "choose another path, or remove it yourself. trustsim never replaces "
                          "what it did not write.")
    if probe:
        _probe(path, flag)


def _checked(path: str | Path, flag: str | None) -> Path:
    if str(path).strip() == "":
        raise OutputError(f"{flag or 'output path'}: is empty; expected a path")
    return Path(path)


def describe_os_error(exc: OSError, target: str | Path | None = None) -> str:
    """``FILE: reason (what it means)`` for a refusal of the file system."""
    where = exc.filename or target or "a file"
    return f"{where}: {os_reason(exc)}"


def os_reason(exc: OSError) -> str:
    """Why the file system refused, in its words, with what that means for the user."""
    reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))
    hint = {errno.EDQUOT: " (the disk quota is exhausted)",
            errno.EFBIG: " (the file is larger than this system allows)"}.get(exc.errno or 0, "")
    return f"{reason}{hint}"


#: errors that can only mean the output cannot be written (whatever file raised them)
_WRITE_ERRNOS = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@contextmanager
def _os_errors(target: Path, flag: str | None, only_write_errors: bool = False) -> Iterator[None]:
    """Turn the file system's refusals into an :class:`OutputError` naming the target.

    ``only_write_errors``: around a command's own work, where an ``OSError`` may also be
    an input it failed to read, convert only the errors that mean "cannot write".
    """
    try:
        yield
    except OSError as exc:
        if only_write_errors and exc.errno not in _WRITE_ERRNOS:
            raise
        what = _label(target, flag)
        raise OutputError(f"{what}: cannot write the output: {os_reason(exc)}; nothing was written") from None


def _write_marker(folder: Path, kind: str, files: list[str]) -> None:
    doc = {"kind": kind, "writer": "trustsim", "files": files}
    (folder / MARKER).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@contextmanager
def atomic_dir(out: str | Path, kind: str, flag: str | None = None) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it becomes ``out``.

    ``out`` may be new, an empty folder, or an earlier trustsim output of ``kind``;
    anything else is an :class:`OutputError` before anything is written. ``flag`` names
    the command-line option the path came from, for messages.
    """
    out = _checked(out, flag)
    check_folder_target(out, kind, flag, probe=False)
    with _os_errors(out, flag):
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
        tmp = _beside(out, "tmp")
        tmp.mkdir()
    try:
        with _os_errors(out, flag):
            _write_marker(tmp, kind, [])
        with _os_errors(out, flag, only_write_errors=True):
            yield tmp
        _refuse_if_stopping()
        with _os_errors(out, flag):
            _write_marker(tmp, kind, _entries(tmp))  # the manifest: what trustsim wrote here
            check_folder_target(out, kind, flag, probe=False)  # again: it may have appeared meanwhile
            if out.exists():
                old = _beside(out, "old")
                os.replace(out, old)
                os.replace(tmp, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(path: str | Path, kind: str | None = None, flag: str | None = None) -> Iterator[Path]:
    """Yield a temporary path; on success the file written there becomes ``path``.

    With ``kind``, an existing ``path`` is replaced only if it is an earlier trustsim
    output of that kind (see :func:`file_kind`). Without it the caller vouches that
    ``path`` lies inside a folder trustsim is writing.
    """
    path = _checked(path, flag)
    if kind is not None:
        check_file_target(path, kind, flag, probe=False)
    with _os_errors(path, flag):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
    tmp = _beside(path, "tmp")
    try:
        with _os_errors(path, flag, only_write_errors=True):
            yield tmp
        _refuse_if_stopping()
        with _os_errors(path, flag):
            if kind is not None:
                check_file_target(path, kind, flag, probe=False)  # again: it may have appeared meanwhile
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes, kind: str | None = None,
                       flag: str | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path, kind, flag) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json_output(path: str | Path, kind: str, body: dict[str, Any], flag: str | None = None) -> Path:
    """Write a command's JSON output with its trustsim header, atomically."""
    doc = {JSON_HEADER: json_header(kind), **body}
    data = json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return write_bytes_atomic(path, data, kind, flag)
