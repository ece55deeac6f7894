"""The loan tape: one row per receivable, columnar (numpy in memory, Parquet on disk).

Why columnar: a tape of 2.86 million receivables is read, stratified, screened and
simulated column by column (a vectorized pass per column), never row by row. Why a
strict reader: a user's tape is the trust's property list, so a bad row (a negative
balance, a duplicate loan id, an unparseable date) must stop every command that reads
it, with the row and the column named, before anything is written.

In memory, dates are ``int32`` days since 1970-01-01, categorical columns are small
integer codes (``STATUSES``, ``HOLDERS``, ``Tape.regions``) and the legal-warranty flags
of eligibility criteria (a), (b), (c), (h), (i) are one bitmask. On disk every column has
its readable type (``date32``, strings, booleans). The schema is documented in
``docs/pool.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from trustsim.atomic import PARQUET_KEY, atomic_file
from trustsim.pool.errors import TapeError

EPOCH = dt.date(1970, 1, 1)
INSTALMENT_CHOICES = (1, 3, 4, 6, 8, 12, 24)
CREDIT_LEVELS = (1, 2, 3, 4, 5)
STATUSES = ("current", "overdue", "non_performing", "written_off", "prepaid", "repaid", "lost",
            "repurchased", "sold_to_servicer")
HOLDERS = ("trust", "originator", "servicer", "noteholders")
ENTRY_REASONS = ("initial", "revolving_purchase", "replacement", "originated")
EXIT_REASONS = ("", "prepaid", "repaid", "written_off", "lost", "repurchased", "sold_to_servicer",
                "released")
# status codes, for readable comparisons in the engine
CURRENT, OVERDUE, NON_PERFORMING, WRITTEN_OFF, PREPAID, REPAID, LOST, REPURCHASED, SOLD = range(9)
TRUST, ORIGINATOR, SERVICER, NOTEHOLDERS = range(4)
#: warranty flags (bit -> column); a set bit means the receivable breaches that warranty
FLAG_COLUMNS = ("encumbered", "agreement_invalid", "disputed", "transfer_restricted", "litigation")
FLAG_BITS = {name: np.uint8(1 << i) for i, name in enumerate(FLAG_COLUMNS)}
MAX_FEE_RATE = 0.36  # annual fee rates above 36% are not a Baitiao product (data error)
MAX_RECEIVABLE_FEN = 2**31 - 1  # 21,474,836.47 CNY: the loan book keeps a receivable's amounts in 32 bits
AS_OF_KEY = b"trustsim.as_of"

#: required columns: name -> (kind, meaning); the documented schema
REQUIRED: dict[str, tuple[str, str]] = {
    "loan_id": ("int", "unique receivable id"),
    "obligor_id": ("int", "obligor (Baitiao user) id"),
    "origination_date": ("date", "date the Baitiao purchase was made (order date)"),
    "instalments": ("int", "contract instalments: 1, 3, 4, 6, 8, 12 or 24"),
    "remaining_instalments": ("int", "instalments not yet due, 0..instalments"),
    "annual_fee_rate": ("float", "12 x the monthly service fee rate on original principal (0.072 = 7.2%)"),
    "credit_level": ("int", "JD credit level 1-5 (Level5 is ineligible)"),
    "region": ("str", "obligor's province"),
    "principal_fen": ("int", "outstanding principal, integer fen"),
    "dpd": ("int", "days past due of the oldest unpaid instalment (0 = current)"),
    "worst_dpd": ("int", "obligor's worst single overdue at JD Mall, days"),
    "status": ("str", "one of " + ", ".join(STATUSES)),
    "holder": ("str", "one of " + ", ".join(HOLDERS)),
}
#: optional columns with their default when absent
OPTIONAL: dict[str, tuple[str, str]] = {
    "original_principal_fen": ("int", "contract principal, fen (default: principal x instalments / remaining)"),
    **{name: ("bool", f"warranty breach flag (default false): {name.replace('_', ' ')}")
       for name in FLAG_COLUMNS},
}


@dataclass
class Tape:
    """A loan tape in memory: equal-length numpy columns plus the date it describes."""

    as_of: dt.date
    columns: dict[str, np.ndarray]
    regions: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["loan_id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, rows: np.ndarray) -> Tape:
        return Tape(self.as_of, {k: v[rows] for k, v in self.columns.items()}, list(self.regions))

    @property
    def principal_fen(self) -> int:
        return int(self.columns["principal_fen"].sum())


# ------------------------------------------------------------------ dates
def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def add_months_days(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Vectorized :func:`trustsim.calendar.add_months` on day numbers (month end if no such day)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    dom = (d - month.astype("datetime64[D]")).astype("int64")  # 0-based day of month
    target = month + np.asarray(months, dtype="int64")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype("int64")
    out = target.astype("datetime64[D]") + np.minimum(dom, length - 1)
    return out.astype("int64").astype(np.int32)


def day_of_month(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return ((d - d.astype("datetime64[M]").astype("datetime64[D]")).astype("int64") + 1).astype(np.int8)


# ------------------------------------------------------------------ writing
def to_table(tape: Tape, extra: dict[str, pa.Array] | None = None) -> pa.Table:
    """The tape as an Arrow table with readable types (dates, strings, booleans)."""
    c = tape.columns
    regions = np.array(tape.regions or ["?"], dtype=object)
    flags = c["flags"]
    cols: dict[str, pa.Array] = {
        "loan_id": pa.array(c["loan_id"], pa.int64()),
        "obligor_id": pa.array(c["obligor_id"], pa.int64()),
        "origination_date": pa.array(c["origination_day"].astype("datetime64[D]"), pa.date32()),
        "instalments": pa.array(c["instalments"], pa.int8()),
        "remaining_instalments": pa.array(c["remaining_instalments"], pa.int8()),
        "annual_fee_rate": pa.array(c["annual_fee_rate"], pa.float64()),
        "credit_level": pa.array(c["credit_level"], pa.int8()),
        "region": pa.DictionaryArray.from_arrays(pa.array(c["region"], pa.int16()),
                                                 pa.array(list(regions), pa.string())),
        "principal_fen": pa.array(c["principal_fen"], pa.int64()),
        "original_principal_fen": pa.array(c["original_principal_fen"], pa.int64()),
        "dpd": pa.array(c["dpd"], pa.int16()),
        "worst_dpd": pa.array(c["worst_dpd"], pa.int16()),
        "status": pa.DictionaryArray.from_arrays(pa.array(c["status"], pa.int8()),
                                                 pa.array(list(STATUSES), pa.string())),
        "holder": pa.DictionaryArray.from_arrays(pa.array(c["holder"], pa.int8()),
                                                 pa.array(list(HOLDERS), pa.string())),
    }
    for name, bit in FLAG_BITS.items():
        cols[name] = pa.array((flags & bit) != 0, pa.bool_())
    if extra:
        cols.update(extra)
    table = pa.table(cols)
    return table.replace_schema_metadata({AS_OF_KEY: tape.as_of.isoformat().encode(), PARQUET_KEY: b"tape"})


def write_table(table: pa.Table, path: str | Path, kind: str | None = None, flag: str | None = None) -> Path:
    """Write a Parquet file atomically: a temporary name beside it, renamed when complete.

    With ``kind`` an existing file is replaced only if it is an earlier trustsim output of
    that kind (:func:`trustsim.atomic.atomic_file`).
    """
    path = Path(path)
    with atomic_file(path, kind, flag) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def write_tape(tape: Tape, path: str | Path, flag: str | None = None) -> Path:
    """Write ``tape`` as Parquet; an existing file is replaced only if it is a trustsim tape."""
    return write_table(to_table(tape), path, "tape", flag)


# ------------------------------------------------------------------ reading and validation
def _where(source: str, row: int, ids: np.ndarray | None, column: str) -> str:
    loan = f" (loan_id {ids[row]})" if ids is not None and row < len(ids) else ""
    return f"{source}: row {row + 1}{loan}: column {column}"


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


class _Reader:
    """Converts an Arrow table's columns to numpy, raising :class:`TapeError` on the first bad row."""

    def __init__(self, table: pa.Table, source: str) -> None:
        self.t, self.source = table, source
        self.ids: np.ndarray | None = None

    def fail(self, row: int, column: str, msg: str) -> TapeError:
        return TapeError(f"{_where(self.source, row, self.ids, column)}: {msg}")

    def column(self, name: str) -> pa.Array:
        col = self.t.column(name).combine_chunks()
        if isinstance(col.type, pa.DictionaryType):
            col = col.dictionary_decode()
        if col.null_count:
            raise self.fail(_first_bad(np.asarray(col.is_null())), name, "missing value")
        return col

    def ints(self, name: str, col: pa.Array | None = None) -> np.ndarray:
        col = self.column(name) if col is None else col
        if pa.types.is_integer(col.type):
            return col.to_numpy(zero_copy_only=False).astype(np.int64)
        if pa.types.is_floating(col.type):
            v = col.to_numpy(zero_copy_only=False)
            bad = ~np.isfinite(v) | (v != np.round(v))
            if bad.any():
                i = _first_bad(bad)
                raise self.fail(i, name, f"{v[i]!r} is not a whole number")
            return v.astype(np.int64)
        if pa.types.is_boolean(col.type):
            return col.to_numpy(zero_copy_only=False).astype(np.int64)
        values = col.cast(pa.string()).to_pylist()
        out = np.empty(len(values), np.int64)
        for i, s in enumerate(values):
            try:
                out[i] = int(str(s).strip())
            except ValueError:
                raise self.fail(i, name, f"{s!r} is not a whole number") from None
        return out

    def floats(self, name: str) -> np.ndarray:
        col = self.column(name)
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            v = col.to_numpy(zero_copy_only=False).astype(np.float64)
        else:
            values = col.cast(pa.string()).to_pylist()
            v = np.empty(len(values))
            for i, s in enumerate(values):
                try:
                    v[i] = float(str(s).strip())
                except ValueError:
                    raise self.fail(i, name, f"{s!r} is not a number") from None
        if not np.isfinite(v).all():
            raise self.fail(_first_bad(~np.isfinite(v)), name, "not a finite number")
        return v

    def dates(self, name: str) -> np.ndarray:
        col = self.column(name)
        if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            v = col.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
            return v.astype("int64").astype(np.int32)
        values = col.cast(pa.string()).to_pylist()
        out = np.empty(len(values), np.int32)
        for i, s in enumerate(values):
            try:
                out[i] = day_number(dt.date.fromisoformat(str(s).strip()))
            except ValueError:
                raise self.fail(i, name, f"{s!r} is not a date (YYYY-MM-DD)") from None
        return out

    def strings(self, name: str) -> list[str]:
        return [str(s).strip() for s in self.column(name).cast(pa.string()).to_pylist()]

    def bools(self, name: str) -> np.ndarray:
        col = self.column(name)
        if pa.types.is_boolean(col.type) or pa.types.is_integer(col.type):
            v = col.to_numpy(zero_copy_only=False).astype(np.int64)
            if ((v != 0) & (v != 1)).any():
                raise self.fail(_first_bad((v != 0) & (v != 1)), name, "not a boolean")
            return v.astype(bool)
        values = col.cast(pa.string()).to_pylist()
        out = np.empty(len(values), bool)
        truth = {"true": True, "1": True, "false": False, "0": False, "": False}
        for i, s in enumerate(values):
            key = str(s).strip().lower()
            if key not in truth:
                raise self.fail(i, name, f"{s!r} is not a boolean (true/false)")
            out[i] = truth[key]
        return out


def _codes(r: _Reader, name: str) -> tuple[np.ndarray, list[str]]:
    """A text column as (codes, distinct values), values stripped; fast for few distinct values."""
    col = r.t.column(name).combine_chunks()
    if col.null_count:
        raise r.fail(_first_bad(np.asarray(col.is_null())), name, "missing value")
    if not isinstance(col.type, pa.DictionaryType):
        col = pc.dictionary_encode(col.cast(pa.string()))
    values = [str(v).strip() for v in col.dictionary.cast(pa.string()).to_pylist()]
    return col.indices.to_numpy(zero_copy_only=False).astype(np.int64), values


def _categorical(r: _Reader, name: str, allowed: tuple[str, ...]) -> np.ndarray:
    idx, values = _codes(r, name)
    code = {s: i for i, s in enumerate(allowed)}
    lookup = np.array([code.get(v, -1) for v in values], np.int64)
    out = lookup[idx]
    if (out < 0).any():
        i = _first_bad(out < 0)
        raise r.fail(i, name, f"unknown {name} {values[idx[i]]!r} "
                     f"(expected one of {', '.join(allowed)})")
    return out.astype(np.int8)


def read_table(path: str | Path) -> pa.Table:
    """Read a Parquet or CSV file as an Arrow table (CSV columns all as text)."""
    p = Path(path)
    if not p.is_file():
        raise TapeError(f"{p}: file not found")
    try:
        if p.suffix.lower() == ".csv":
            head = p.open(encoding="utf-8").readline().strip().split(",")
            opts = pacsv.ConvertOptions(column_types={h: pa.string() for h in head},
                                        strings_can_be_null=False)
            return pacsv.read_csv(p, convert_options=opts)
        return pq.read_table(p)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise TapeError(f"{p}: not a readable Parquet or CSV tape ({exc})") from None


#: what each kind of column may be stored as in a typed file (Parquet); a CSV is all text
_STORED_AS: dict[str, tuple[str, tuple]] = {
    "int": ("integers", (pa.types.is_integer,)),
    "float": ("numbers", (pa.types.is_integer, pa.types.is_floating)),
    "date": ("dates (or YYYY-MM-DD text)", (pa.types.is_date, pa.types.is_timestamp, pa.types.is_string,
                                            pa.types.is_large_string)),
    "str": ("text", (pa.types.is_string, pa.types.is_large_string)),
    "bool": ("booleans", (pa.types.is_boolean,)),
}


def _check_types(table: pa.Table, source: str) -> None:
    """A typed tape's columns must hold their kind: ``"100000"`` as text in ``principal_fen`` says
    the file was written wrong (a spreadsheet export, a shifted column), so it is refused, not parsed."""
    for name, (kind, _) in {**REQUIRED, **OPTIONAL}.items():
        if name not in table.column_names:
            continue
        col = table.column(name)
        stored = col.type.value_type if isinstance(col.type, pa.DictionaryType) else col.type
        what, accepts = _STORED_AS[kind]
        if pa.types.is_null(stored) or any(ok(stored) for ok in accepts):
            continue
        first = next((v for v in col.to_pylist() if v is not None), None)
        raise TapeError(f"{source}: column {name}: expected {what}, but the file stores {stored} "
                        f"(row 1: {first!r}); write the column as {kind}")


def tape_from_table(table: pa.Table, source: str, as_of: dt.date | None = None, text: bool = False) -> Tape:
    """Validate an Arrow table against the tape schema and convert it; see :class:`TapeError`.

    ``text``: every column is text to parse (a CSV); otherwise each column must be stored as its kind.
    """
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise TapeError(f"{source}: missing column(s): {', '.join(missing)}")
    if table.num_rows == 0:
        raise TapeError(f"{source}: the tape has no rows")
    if not text:
        _check_types(table, source)
    meta = table.schema.metadata or {}
    if as_of is None and AS_OF_KEY in meta:
        as_of = dt.date.fromisoformat(meta[AS_OF_KEY].decode())
    r = _Reader(table, source)
    ids = r.ints("loan_id")
    r.ids = ids
    if (ids < 0).any():
        raise r.fail(_first_bad(ids < 0), "loan_id", f"negative id {ids[_first_bad(ids < 0)]}")
    order = np.argsort(ids, kind="stable")
    dup = np.flatnonzero(ids[order][1:] == ids[order][:-1])
    if len(dup):
        first, second = sorted((int(order[dup[0]]), int(order[dup[0] + 1])))
        raise r.fail(second, "loan_id", f"duplicate loan id {ids[second]} (also row {first + 1})")
    cols: dict[str, np.ndarray] = {"loan_id": ids}
    cols["obligor_id"] = r.ints("obligor_id")
    if (cols["obligor_id"] < 0).any():
        raise r.fail(_first_bad(cols["obligor_id"] < 0), "obligor_id", "negative id")
    cols["origination_day"] = r.dates("origination_date")
    n = r.ints("instalments")
    bad = ~np.isin(n, INSTALMENT_CHOICES)
    if bad.any():
        i = _first_bad(bad)
        raise r.fail(i, "instalments", f"{n[i]} is out of range (allowed: {INSTALMENT_CHOICES})")
    rem = r.ints("remaining_instalments")
    bad = (rem < 0) | (rem > n)
    if bad.any():
        i = _first_bad(bad)
        raise r.fail(i, "remaining_instalments", f"{rem[i]} is out of range 0..{n[i]}")
    fee = r.floats("annual_fee_rate")
    bad = (fee < 0) | (fee > MAX_FEE_RATE)
    if bad.any():
        i = _first_bad(bad)
        raise r.fail(i, "annual_fee_rate", f"{fee[i]} is outside 0..{MAX_FEE_RATE}")
    level = r.ints("credit_level")
    bad = ~np.isin(level, CREDIT_LEVELS)
    if bad.any():
        i = _first_bad(bad)
        raise r.fail(i, "credit_level", f"unknown credit level {level[i]} (expected 1-5)")
    idx, values = _codes(r, "region")
    regions = sorted(set(values) - {""})
    rank = {s: i for i, s in enumerate(regions)}
    lookup = np.array([rank.get(v, -1) for v in values], np.int64)
    region = lookup[idx]
    if (region < 0).any():
        raise r.fail(_first_bad(region < 0), "region", "empty region")
    region = region.astype(np.int16)
    principal = r.ints("principal_fen")
    if (principal < 0).any():
        i = _first_bad(principal < 0)
        raise r.fail(i, "principal_fen", f"negative balance {principal[i]}")
    if (principal > MAX_RECEIVABLE_FEN).any():
        i = _first_bad(principal > MAX_RECEIVABLE_FEN)
        raise r.fail(i, "principal_fen", f"balance {principal[i]} is above {MAX_RECEIVABLE_FEN} fen, "
                     "more than a consumer receivable can hold")
    dpd = r.ints("dpd")
    if (dpd < 0).any():
        raise r.fail(_first_bad(dpd < 0), "dpd", f"negative days past due {dpd[_first_bad(dpd < 0)]}")
    worst = r.ints("worst_dpd")
    if (worst < 0).any():
        raise r.fail(_first_bad(worst < 0), "worst_dpd", "negative days")
    status = _categorical(r, "status", STATUSES)
    holder = _categorical(r, "holder", HOLDERS)
    live = np.isin(status, (CURRENT, OVERDUE, NON_PERFORMING))
    bad = live & (principal == 0)
    if bad.any():
        raise r.fail(_first_bad(bad), "principal_fen", f"a {STATUSES[status[_first_bad(bad)]]} "
                     "receivable must have a positive balance")
    bad = (status == CURRENT) & (dpd > 0)
    if bad.any():
        raise r.fail(_first_bad(bad), "dpd", "a current receivable cannot be past due")
    bad = np.isin(status, (OVERDUE, NON_PERFORMING)) & (dpd == 0)
    if bad.any():
        raise r.fail(_first_bad(bad), "dpd", f"a receivable with status "
                     f"{STATUSES[status[_first_bad(bad)]]} is past due: dpd must be at least 1")
    bad = (status == CURRENT) & (rem == 0)
    if bad.any():
        raise r.fail(_first_bad(bad), "remaining_instalments", "a current receivable has "
                     "instalments left to pay")
    if "original_principal_fen" in table.column_names:
        orig = r.ints("original_principal_fen")
        bad = orig < principal
        if bad.any():
            i = _first_bad(bad)
            raise r.fail(i, "original_principal_fen",
                         f"{orig[i]} is below the outstanding principal {principal[i]}")
        if (orig > MAX_RECEIVABLE_FEN).any():
            i = _first_bad(orig > MAX_RECEIVABLE_FEN)
            raise r.fail(i, "original_principal_fen", f"{orig[i]} is above {MAX_RECEIVABLE_FEN} fen")
    else:
        orig = np.where(rem > 0, principal * n // np.maximum(rem, 1), principal)
    flags = np.zeros(len(ids), np.uint8)
    for name, bit in FLAG_BITS.items():
        if name in table.column_names:
            flags |= np.where(r.bools(name), bit, np.uint8(0)).astype(np.uint8)
    if as_of is None:
        raise TapeError(f"{source}: the tape does not say its as-of date (Parquet metadata "
                        f"{AS_OF_KEY.decode()!r}); pass it explicitly")
    late = cols["origination_day"] > day_number(as_of)
    if late.any():
        raise r.fail(_first_bad(late), "origination_date",
                     f"after the tape's as-of date {as_of.isoformat()}")
    cols.update(
        instalments=n.astype(np.int8), remaining_instalments=rem.astype(np.int8),
        annual_fee_rate=fee, credit_level=level.astype(np.int8), region=region,
        principal_fen=principal, original_principal_fen=orig.astype(np.int64),
        dpd=dpd.astype(np.int16), worst_dpd=worst.astype(np.int16), status=status,
        holder=holder, flags=flags,
    )
    return Tape(as_of, cols, regions)


def read_tape(path: str | Path, as_of: dt.date | None = None) -> Tape:
    """Read and validate a tape (Parquet, or CSV with the same columns)."""
    return tape_from_table(read_table(path), str(path), as_of, text=Path(path).suffix.lower() == ".csv")


def tape_from_records(records: list[dict], as_of: dt.date, source: str = "records") -> Tape:
    """A tape from a list of row mappings (column -> value), validated like a file.

    Dates may be ``datetime.date`` or ISO strings; optional columns may be left out.
    """
    rows = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
            for r in records]
    return tape_from_table(pa.Table.from_pylist(rows), source, as_of)
