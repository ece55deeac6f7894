"""The log in DuckDB: one in-process database per run folder, and the views users query.

Why DuckDB: the questions people ask of a run — how much reached the trust account each
day, which payment dates paid a junior class, when the NPL ratio crossed its threshold — are SQL over a
few thousand to a few million events, and DuckDB answers them in-process with no server
and exports Parquet in one statement. The raw log is one table of JSON objects; every
view below reads from it (or from the classification :mod:`trustsim.audit.log` makes),
so a query sees exactly what the checks see. :data:`VIEWS` documents each view's columns
and is the source of ``docs/audit.md``'s reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import orjson

from trustsim.atomic import atomic_dir
from trustsim.audit.log import AuditLog

#: view -> (what it holds, {column: meaning})
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "events": ("Every line of events.jsonl, in log order.", {
        "seq": "order in the run (1, 2, ...)", "day": "calendar days since the effective date",
        "date": "business date (DATE)", "actor": "originator, servicer, trustee, custodian, "
        "environment", "event": "event name (see the catalogue)",
        "debit": "account money arrives in (postings only)", "credit": "account money leaves",
        "amount_fen": "amount in fen (BIGINT), where the event has one",
        "reason": "why money moved", "instruction": "trustee instruction id",
        "fields": "the whole event as JSON: use fields->>'name' for any other field"}),
    "postings": ("Every money movement: the events that carry a debit.", {
        "seq": "event seq", "day": "", "date": "", "actor": "who moved the money",
        "event": "the event that moved it", "debit": "account credited with money",
        "credit": "account money left", "amount_fen": "positive fen", "reason": "",
        "instruction": "instruction executed (NULL for obligor payments, sweeps, proceeds)",
        "ref": "purchase request paid, if any"}),
    "payments": ("Money the trust paid to outside parties, classified.", {
        "seq": "the posting's seq", "date": "", "payee": "noteholders, agents, tax "
        "authority, originator...", "from_account": "trust account, issuance proceeds...",
        "amount_fen": "", "reason": "", "instruction": "",
        "step": "waterfall step paid (NULL outside a waterfall)",
        "payment_seq": "seq of the payment_date event whose waterfall paid it",
        "note_class": "the class paid, for noteholder payments (the deal's class names)",
        "kind": "tax, fee, interest, principal, income, purchase or other"}),
    "triggers": ("Triggers fired.", {
        "seq": "", "date": "", "kind": "acceleration or default", "clause": "a..h",
        "figures": "JSON: the figures behind it"}),
    "pool_daily": ("The pool and the notes at 24:00 of each business day (day_closed).", {
        "seq": "", "date": "", "period": "revolving or amortization",
        "performing_fen": "", "overdue_fen": "0-90 days past due",
        "non_performing_fen": "over 90 days past due (the 90+ bucket)", "charged_off_fen": "cumulative",
        "outstanding_fen": "the pool's payable balance", "loans": "live receivables if known",
        "npl_ratio_ppm": "as logged", "npl_ratio": "npl_ratio_ppm / 1e6",
        "notes_outstanding_fen": "all classes' principal outstanding",
        "overdue_1_30_fen": "overdue 0-30 days past due (the day of the miss included)",
        "overdue_31_60_fen": "", "overdue_61_90_fen": "61 days to non-performing",
        "prepaid_fen": "cumulative principal prepaid",
        "scheduled_principal_fen": "cumulative principal fallen due by schedule",
        "bought_fen": "cumulative principal that entered the pool"}),
    "notes": ("Each movement of a note class: issued, principal, interest, income.", {
        "seq": "", "date": "", "note_class": "a class of the deal",
        "series": "a rolling class's series",
        "movement": "issued, principal, interest or income", "amount_fen": "",
        "outstanding_fen": "the class's principal outstanding after the movement"}),
    "accounts_daily": ("Each internal account on each business day, from postings and as "
                       "the day_closed snapshot reports it.", {
        "date": "", "seq": "seq of the day_closed snapshot", "account": "",
        "opening_fen": "after the previous snapshot", "in_fen": "postings into it",
        "out_fen": "postings out of it", "closing_fen": "opening + in - out",
        "reported_fen": "the snapshot's balance", "difference_fen": "reported - closing",
        "postings": "number of postings since the previous snapshot"}),
    "exposure_daily": ("Each account held outside the custodian (the servicer's collection "
                       "account) on every calendar day, weekends and holidays included, "
                       "replayed from the postings.", {
        "date": "", "business_day": "by the run's own calendar", "account": "",
        "opening_fen": "at the day's start (the previous day's 24:00)",
        "in_fen": "postings into it that day", "out_fen": "postings out of it that day",
        "balance_fen": "at 24:00", "peak_fen": "the highest balance of the day (the night's "
        "balance before the morning sweep, or after the day's receipts)",
        "postings": "number of postings that day"}),
    "waterfall_steps": ("Each step of each payment date's waterfall.", {
        "seq": "", "date": "", "payment_seq": "seq of its payment_date event",
        "waterfall": "revolving, amortization, post_default", "pay": "the step",
        "clause": "", "due_fen": "", "paid_fen": "", "shortfall_fen": "",
        "gated_by": "earlier step not paid in full that held it back"}),
}

_EVENTS_SQL = """
CREATE TABLE events AS
SELECT TRY_CAST(j->>'seq' AS BIGINT) AS seq, TRY_CAST(j->>'day' AS INTEGER) AS day,
       TRY_CAST(j->>'date' AS DATE) AS date, j->>'actor' AS actor, j->>'event' AS event,
       j->>'debit' AS debit, j->>'credit' AS credit,
       TRY_CAST(j->>'amount_fen' AS BIGINT) AS amount_fen, j->>'reason' AS reason,
       j->>'instruction' AS instruction, j AS fields
FROM raw ORDER BY seq
"""

_VIEWS_SQL = [
    """CREATE VIEW postings AS
       SELECT seq, day, date, actor, event, debit, credit, amount_fen, reason,
              CASE WHEN event = 'purchase_confirmed' THEN NULL ELSE instruction END AS instruction,
              fields->>'ref' AS ref
       FROM events WHERE debit IS NOT NULL""",
    """CREATE VIEW triggers AS
       SELECT seq, date, fields->>'kind' AS kind, fields->>'clause' AS clause,
              fields->'figures' AS figures
       FROM events WHERE event = 'trigger_fired'""",
    """CREATE VIEW pool_daily AS
       SELECT seq, date, fields->>'period' AS period,
              TRY_CAST(fields->>'pool_performing_fen' AS BIGINT) AS performing_fen,
              TRY_CAST(fields->>'pool_overdue_fen' AS BIGINT) AS overdue_fen,
              TRY_CAST(fields->>'pool_non_performing_fen' AS BIGINT) AS non_performing_fen,
              TRY_CAST(fields->>'pool_charged_off_fen' AS BIGINT) AS charged_off_fen,
              TRY_CAST(fields->>'pool_outstanding_fen' AS BIGINT) AS outstanding_fen,
              TRY_CAST(fields->>'pool_loans' AS BIGINT) AS loans,
              TRY_CAST(fields->>'npl_ratio_ppm' AS BIGINT) AS npl_ratio_ppm,
              TRY_CAST(fields->>'npl_ratio_ppm' AS DOUBLE) / 1e6 AS npl_ratio,
              TRY_CAST(fields->>'notes_outstanding_fen' AS BIGINT) AS notes_outstanding_fen,
              TRY_CAST(fields->>'pool_overdue_1_30_fen' AS BIGINT) AS overdue_1_30_fen,
              TRY_CAST(fields->>'pool_overdue_31_60_fen' AS BIGINT) AS overdue_31_60_fen,
              TRY_CAST(fields->>'pool_overdue_61_90_fen' AS BIGINT) AS overdue_61_90_fen,
              TRY_CAST(fields->>'pool_prepaid_fen' AS BIGINT) AS prepaid_fen,
              TRY_CAST(fields->>'pool_scheduled_principal_fen' AS BIGINT) AS scheduled_principal_fen,
              TRY_CAST(fields->>'pool_bought_fen' AS BIGINT) AS bought_fen
       FROM events WHERE event = 'day_closed'""",
    """CREATE VIEW notes AS
       WITH moves AS (
         SELECT seq, date, fields->>'note_class' AS note_class,
                TRY_CAST(fields->>'series' AS INTEGER) AS series, 'issued' AS movement,
                amount_fen
         FROM events WHERE event = 'proceeds_received'
         UNION ALL
         SELECT seq, date, note_class, NULL, kind, amount_fen
         FROM payments WHERE note_class IS NOT NULL)
       SELECT *, SUM(CASE movement WHEN 'issued' THEN amount_fen
                                   WHEN 'principal' THEN -amount_fen ELSE 0 END)
                 OVER (PARTITION BY note_class ORDER BY seq) AS outstanding_fen
       FROM moves""",
    """CREATE VIEW accounts_daily AS
       WITH moves AS (
         SELECT seq, debit AS account, amount_fen AS delta FROM postings
         WHERE debit IN (SELECT account FROM internal_accounts)
         UNION ALL
         SELECT seq, credit, -amount_fen FROM postings
         WHERE credit IN (SELECT account FROM internal_accounts)),
       closes AS (
         SELECT e.seq, e.date, a.account,
                COALESCE(
                  TRY_CAST(json_extract_string(e.fields, '$.' || a.account || '_fen') AS BIGINT),
                  TRY_CAST(json_extract_string(e.fields, '$.reserve_accounts_fen.' || a.account)
                           AS BIGINT)) AS reported_fen,
                COALESCE(LAG(e.seq) OVER (PARTITION BY a.account ORDER BY e.seq), 0) AS prev_seq
         FROM events e CROSS JOIN internal_accounts a WHERE e.event = 'day_closed'),
       flows AS (
         SELECT c.seq, c.account,
                COALESCE(SUM(CASE WHEN m.delta > 0 THEN m.delta END), 0) AS in_fen,
                COALESCE(SUM(CASE WHEN m.delta < 0 THEN -m.delta END), 0) AS out_fen,
                COUNT(m.seq) AS postings
         FROM closes c LEFT JOIN moves m
           ON m.account = c.account AND m.seq > c.prev_seq AND m.seq < c.seq
         GROUP BY c.seq, c.account),
       running AS (
         SELECT c.date, c.seq, c.account, f.in_fen, f.out_fen, f.postings, c.reported_fen,
                SUM(f.in_fen - f.out_fen) OVER (PARTITION BY c.account ORDER BY c.seq)
                  AS closing_fen
         FROM closes c JOIN flows f ON f.seq = c.seq AND f.account = c.account)
       SELECT date, seq, account, closing_fen - in_fen + out_fen AS opening_fen, in_fen,
              out_fen, closing_fen, reported_fen, reported_fen - closing_fen AS difference_fen,
              postings
       FROM running ORDER BY seq, account""",
]


def _table_from_rows(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str],
                     rows: list[dict[str, Any]]) -> None:
    """Create ``name`` from Python rows (through JSON: one statement, no per-row inserts)."""
    cols = ", ".join(f"TRY_CAST(j->>'{c}' AS {t}) AS {c}" for c, t in columns.items())
    blobs = [orjson.dumps(r).decode() for r in rows]
    con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM "
                f"(SELECT unnest($1::VARCHAR[])::JSON AS j)", [blobs])


def connect(log: AuditLog, events_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding ``log`` and its views."""
    con = duckdb.connect(":memory:")
    if events_path is not None:
        con.execute("CREATE TABLE raw AS SELECT json AS j FROM read_json_objects(?, "
                    "format='newline_delimited')", [str(events_path)])
    else:
        blobs = [orjson.dumps(e).decode() for e in log.events]
        con.execute("CREATE TABLE raw AS SELECT unnest($1::VARCHAR[])::JSON AS j", [blobs])
    con.execute(_EVENTS_SQL)
    con.execute("DROP TABLE raw")
    _table_from_rows(con, "internal_accounts", {"account": "VARCHAR"},
                     [{"account": a} for a in log.snapshotted_accounts])
    _table_from_rows(con, "payments", {
        "seq": "BIGINT", "date": "DATE", "payee": "VARCHAR", "from_account": "VARCHAR",
        "amount_fen": "BIGINT", "reason": "VARCHAR", "instruction": "VARCHAR",
        "step": "VARCHAR", "payment_seq": "BIGINT", "note_class": "VARCHAR", "kind": "VARCHAR",
    }, [{"seq": p.seq, "date": p.date, "payee": p.payee, "from_account": p.from_account,
         "amount_fen": p.amount_fen, "reason": p.reason, "instruction": p.instruction,
         "step": p.step, "payment_seq": p.distribution_seq, "note_class": p.note_class,
         "kind": p.kind} for p in log.payments])
    _table_from_rows(con, "waterfall_steps", {
        "seq": "BIGINT", "date": "DATE", "payment_seq": "BIGINT", "waterfall": "VARCHAR",
        "pay": "VARCHAR", "clause": "VARCHAR", "due_fen": "BIGINT", "paid_fen": "BIGINT",
        "shortfall_fen": "BIGINT", "gated_by": "VARCHAR",
    }, [{"seq": s.event["seq"], "date": d.date, "payment_seq": d.seq, "waterfall": d.waterfall,
         "pay": s.pay, "clause": s.event.get("clause"), "due_fen": s.event.get("due_fen"),
         "paid_fen": s.event.get("paid_fen"), "shortfall_fen": s.event.get("shortfall_fen"),
         "gated_by": s.event.get("gated_by")} for d in log.distributions for s in d.steps])
    from trustsim.audit.checks.exposure import daily

    _table_from_rows(con, "exposure_daily", {
        "date": "DATE", "business_day": "BOOLEAN", "account": "VARCHAR", "opening_fen": "BIGINT",
        "in_fen": "BIGINT", "out_fen": "BIGINT", "balance_fen": "BIGINT", "peak_fen": "BIGINT",
        "postings": "BIGINT",
    }, [{"date": x.date.isoformat(), "business_day": x.business_day, "account": x.account,
         "opening_fen": x.opening_fen, "in_fen": x.in_fen, "out_fen": x.out_fen,
         "balance_fen": x.balance_fen, "peak_fen": x.peak_fen, "postings": x.postings}
        for days in daily(log).values() for x in days])
    for sql in _VIEWS_SQL:
        con.execute(sql)
    return con


#: what a query may no longer do once :func:`sandbox` has run: read or write any file
#: (COPY ... TO, ATTACH, read_csv, EXPORT), fetch or load an extension, change a setting
SANDBOX_SETTINGS = ("SET enable_external_access = false",
                    "SET autoinstall_known_extensions = false",
                    "SET autoload_known_extensions = false",
                    "SET lock_configuration = true")   # last: the settings above stay


def sandbox(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Lock ``con`` down after its tables are loaded, for SQL a user types.

    Why: ``trustsim query`` promises to read the run folder and nothing else, but plain
    DuckDB SQL can read any file, write one anywhere, attach a database or download an
    extension. With external access off, extension installs and loads off and the
    configuration locked (so no statement can turn them back on), a query sees the
    loaded tables and views only; DuckDB refuses the rest with a PermissionException or
    a locked-configuration error.
    """
    for statement in SANDBOX_SETTINGS:
        con.execute(statement)
    return con


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> list[Path]:
    """Write every view as ``<view>.parquet`` into folder ``out``, atomically."""
    with atomic_dir(out, "audit-parquet", "--parquet") as tmp:
        for view in VIEWS:
            path = tmp / f"{view}.parquet"
            quoted = str(path).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM {view}) TO '{quoted}' (FORMAT parquet)")
    return [out / f"{v}.parquet" for v in VIEWS]
