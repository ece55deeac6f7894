"""A battery of bad inputs through the real command line: each is refused the way a user can act on.

Every row runs ``trustsim`` in a subprocess, in a fresh folder holding only the row's files,
and asserts: the exit status (2 for bad input, 1 for an audit finding), a message naming
the file, field, row or flag and what was expected, no traceback on stderr, and nothing
left behind in the folder. One table, so the list can grow: add a :class:`Case`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from support.cli import DEAL, LOANS_DEAL, ROOT, files_under, run_cli
from support.deal_edits import action, drop_gate, make_static, note_class

BIG_SEED = str(2**70)
MC = ROOT / "configs" / "montecarlo"
STRESS = ROOT / "configs" / "stress" / "lianhe_2020.yaml"
Content = str | bytes | Callable[[Path], None]


def deal_text(change: Callable[[dict], Any] | None = None, path: Path = DEAL) -> str:
    """The bundled deal as YAML, with ``change`` applied to its parsed mapping."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def scenario(*incidents: dict) -> str:
    return yaml.safe_dump({"description": "a bad scenario", "incidents": list(incidents)}, sort_keys=False)


def move_residual_before_sub_principal(d: dict) -> None:
    steps = d["waterfalls"]["post_default"]
    residual = action(d, "post_default", pay_residual="sub")
    steps.remove(residual)
    steps.insert(steps.index(action(d, "post_default", pay_principal="sub")), residual)


def drop_mezz_principal(d: dict) -> None:
    d["waterfalls"]["amortization"].remove(action(d, "amortization", pay_principal="mezz"))
    drop_gate(d, "mezz_principal")


def static_keeping_its_revolving_waterfall(d: dict) -> None:
    revolving = d["waterfalls"]["revolving"]
    make_static(d)
    d["waterfalls"]["revolving"] = revolving


def static_keeping_its_rolling_series(d: dict) -> None:
    make_static(d)
    note_class(d, "senior")["rolling_series"] = {"expected_maturities": ["2021-03-18", "2022-09-12"]}


def trigger(name: str) -> Callable[[dict], dict]:
    return lambda d: next(t for t in d["triggers"] if t["name"] == name)


def scenario_classes(*classes: dict) -> str:
    return yaml.safe_dump({"description": "a scenario changing classes", "classes": list(classes)}, sort_keys=False)


GOOD_ROW = {
    "loan_id": 1, "obligor_id": 10, "origination_date": "2020-05-10", "instalments": 12,
    "remaining_instalments": 10, "annual_fee_rate": 0.072, "credit_level": 2, "region": "Beijing",
    "principal_fen": 100_000, "dpd": 0, "worst_dpd": 0, "status": "current", "holder": "trust",
}


def tape(*changes: dict, as_of: str = "2020-07-27") -> Callable[[Path], None]:
    """A Parquet tape: one good row per change, updated by it (``...`` drops a column)."""
    def write(path: Path) -> None:
        rows = []
        for i, ch in enumerate(changes, start=1):
            row = {**GOOD_ROW, "loan_id": i, "obligor_id": 10 + i, **ch}
            rows.append({k: v for k, v in row.items() if v is not ...})
        table = pa.Table.from_pylist(rows).replace_schema_metadata({b"trustsim.as_of": as_of.encode()})
        pq.write_table(table, path)
    return write


def csv_tape(*changes: dict) -> str:
    rows = [{**GOOD_ROW, "loan_id": i, "obligor_id": 10 + i, **ch} for i, ch in enumerate(changes, start=1)]
    return "\n".join([",".join(GOOD_ROW), *(",".join(str(r[k]) for k in GOOD_ROW) for r in rows)]) + "\n"


def loans_deal_with_tape(name: str) -> str:
    return deal_text(lambda d: d["pool"].update(tape=name), LOANS_DEAL)


RUN = "RUN"  # a finished run folder of the bundled deal, copied in


def tampered_run(path: Path) -> None:
    """The run with a tax payment taken out of its log (the audit must catch it)."""
    shutil.copytree(_RUN_FOLDER[0], path)
    log = path / "events.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines)
             if b'"instruction_executed"' in line and b'"reason":"taxes (' in line)
    log.write_bytes(b"".join(lines[:i] + lines[i + 1:]))


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    says: tuple[str, ...]             # substrings the message must contain (file/field/flag, what)
    files: dict[str, Content] = field(default_factory=dict)
    code: int = 2


CASES = [
    # ------------------------------------------------------------ deal files
    Case("deal file missing", ("validate", "nope.yaml"), ("nope.yaml: file not found",)),
    Case("deal file not UTF-8", ("validate", "deal.yaml"), ("deal.yaml: not UTF-8", "0xff"),
         {"deal.yaml": b"name: \xff\xfe caf\xe9\n"}),
    Case("deal file nested 20,000 deep", ("validate", "deal.yaml"), ("deal.yaml", "nested more than 64 levels"),
         {"deal.yaml": "a: " + "[" * 20_000 + "]" * 20_000 + "\n"}),
    Case("deal file with a key given twice", ("run", "-q", "deal.yaml", "--out", "out"),
         ("deal.yaml: line", "duplicate key 'run'"),
         {"deal.yaml": deal_text() + "run:\n  seed: 1\n  out: elsewhere\n"}),
    Case("deal file whose aliases explode", ("validate", "deal.yaml"), ("deal.yaml", "more than 100,000 values"),
         {"deal.yaml": "a: &a [" + ",".join(["1"] * 10) + "]\n" + "".join(
             f"{n}: &{n} [" + ",".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcde", "bcdef", strict=True))}),
    Case("deal file that is a list", ("validate", "deal.yaml"), ("deal.yaml: (top level): expected a mapping",),
         {"deal.yaml": "- 1\n- 2\n"}),
    Case("deal file that is not YAML", ("validate", "deal.yaml"), ("deal.yaml: line 2: not valid YAML",),
         {"deal.yaml": "name: x\n  bad: [\n"}),
    Case("an amount of 1e30 CNY", ("run", "-q", "deal.yaml", "--out", "out"),
         ("deal.yaml: fees[1] (trustee_counsel_fees).cny_per_year", "less than or equal to 10000000000000"),
         {"deal.yaml": deal_text(lambda d: d["fees"][1].update(cny_per_year="1e30"))}),
    Case("a pool of 10**18 wan", ("validate", "deal.yaml"), ("deal.yaml: pool.initial_principal_wan",),
         {"deal.yaml": deal_text(lambda d: d["pool"].update(initial_principal_wan=10**18))}),
    Case("a seed of 2**70 in the deal", ("validate", "deal.yaml"), ("deal.yaml: run.seed", "less than or equal"),
         {"deal.yaml": deal_text(lambda d: d["run"].update(seed=2**70))}),
    Case("revolving longer than the deal", ("run", "-q", "deal.yaml", "--out", "out"),
         ("deal.yaml: dates.revolving_months", "before the legal maturity"),
         {"deal.yaml": deal_text(lambda d: d["dates"].update(revolving_months=240))}),
    Case("a payment lag of 10**18 business days", ("validate", "deal.yaml"),
         ("deal.yaml: dates.payment_lag_business_days", "less than or equal to 250"),
         {"deal.yaml": deal_text(lambda d: d["dates"].update(payment_lag_business_days=10**18))}),
    Case("a principal grace longer than the run", ("run", "-q", "deal.yaml", "--out", "out"),
         ("deal.yaml: triggers[9] (principal_default).grace_business_days: 40 business days of grace",
          "the last day a run of this deal simulates"),
         {"deal.yaml": deal_text(lambda d: trigger("principal_default")(d).update(grace_business_days=40))}),
    Case("amortization dates beyond the calendar", ("validate", "deal.yaml"),
         ("deal.yaml: dates.legal_maturity_months_after_last_expected (legal maturity + 100 business days",
          "outside the loaded business-day calendar"),
         {"deal.yaml": deal_text(lambda d: d["dates"].update(amortization_schedule={"every_business_days": 100}))}),
    Case("a misspelt key", ("validate", "deal.yaml"), ("deal.yaml: pool.mpr_pcts",),
         {"deal.yaml": deal_text(lambda d: d["pool"].update(mpr_pcts=20))}),
    Case("a date that is not a date", ("validate", "deal.yaml"), ("deal.yaml: dates.trust_effective_date",),
         {"deal.yaml": deal_text(lambda d: d["dates"].update(trust_effective_date="someday"))}),
    # ------------------------------------------------------------ the deal language's cross-section rules
    Case("an amortization waterfall that never repays the mezz", ("run", "-q", "deal.yaml", "--out", "out"),
         ("deal.yaml: ", "waterfalls.amortization: no pay_principal action repays class 'mezz'",
          "could never be repaid"),
         {"deal.yaml": deal_text(drop_mezz_principal)}),
    Case("a post-default waterfall paying the residual before the sub's principal", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.post_default[8] (pay_residual: sub): pay_residual takes what is left, so it "
          "must be the last action",),
         {"deal.yaml": deal_text(move_residual_before_sub_principal)}),
    Case("an action paying a class the deal does not have", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.amortization[7] (pay_principal: mezzanine): no class named 'mezzanine' "
          "(classes: senior, mezz, sub)",),
         {"deal.yaml": deal_text(lambda d: action(d, "amortization", pay_principal="mezz").update(
             pay_principal="mezzanine"))}),
    Case("an action paying a fee the deal does not have", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.revolving[2] (pay_fees: rating_fee): no fee named 'rating_fee' (fees: taxes,",),
         {"deal.yaml": deal_text(lambda d: action(d, "revolving", pay_fees="rating_fees").update(
             pay_fees="rating_fee"))}),
    Case("an action funding an account the deal does not have", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.post_default[0] (release_account: reserve): no reserve account named "
          "'reserve' (accounts.reserves: none)",),
         {"deal.yaml": deal_text(lambda d: d["waterfalls"]["post_default"].insert(
             0, {"release_account": "reserve", "clause": "x"}))}),
    Case("a trigger switching to a waterfall the deal does not have", ("validate", "deal.yaml"),
         ("deal.yaml: ", "triggers[4] (npl_ratio).effect.use_waterfall: no waterfall named 'sequential' "
          "(waterfalls: revolving, amortization, post_default)",),
         {"deal.yaml": deal_text(lambda d: trigger("npl_ratio")(d).update(effect={"use_waterfall": "sequential"}))}),
    Case("a pro-rata group spanning ranks", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.amortization[5] (pay_principal: senior, sub): a pro-rata group must be "
          "classes of one rank, consecutive in seniority; it spans ranks (mezz sits between)",),
         {"deal.yaml": deal_text(lambda d: action(d, "amortization", pay_principal="senior").update(
             pay_principal=["senior", "sub"]))}),
    Case("two classes of one name", ("validate", "deal.yaml"),
         ("deal.yaml: ", "classes[2]: the name 'mezz' is used twice",),
         {"deal.yaml": deal_text(lambda d: note_class(d, "sub").update(name="mezz"))}),
    Case("a gate naming a step that comes later", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.amortization[6] (pay_interest: mezz).after_paid_in_full: 'mezz_principal' "
          "is not an earlier step (earlier: taxes,",),
         {"deal.yaml": deal_text(lambda d: action(d, "amortization", pay_interest="mezz").update(
             after_paid_in_full=["mezz_principal"]))}),
    Case("retain before the last action", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.revolving[4] (retain: true): retain takes what is left, so it must be the "
          "last action",),
         {"deal.yaml": deal_text(lambda d: d["waterfalls"]["revolving"].insert(4, {"retain": True, "clause": "x"}))}),
    Case("a static deal with a revolving waterfall", ("validate", "deal.yaml"),
         ("deal.yaml: ", "waterfalls.revolving: dates.revolving_months is 0 (a static pool), so a revolving "
          "waterfall would never apply; remove it",),
         {"deal.yaml": deal_text(static_keeping_its_revolving_waterfall)}),
    Case("a rolling class on a static deal", ("validate", "deal.yaml"),
         ("deal.yaml: ", "classes[0] (senior).rolling_series: a static pool (revolving_months 0) has no roll dates",),
         {"deal.yaml": deal_text(static_keeping_its_rolling_series)}),
    Case("a scenario adding a class by a misspelt name", ("validate", str(DEAL), "--scenario", "s.yaml"),
         ("s.yaml: ", "waterfalls.amortization: no pay_principal action repays class 'mez'",),
         {"s.yaml": scenario_classes({"name": "mez", "size_wan": 6000, "coupon_pct": 8.0,
                                      "expected_maturity": "2022-09-12"})}),
    # ------------------------------------------------------------ scenario overlays
    Case("an unknown scenario name", ("validate", str(DEAL), "--scenario", "no_such_scenario"),
         ("no_such_scenario: no such scenario", "base")),
    Case("a scenario with a key given twice", ("validate", str(DEAL), "--scenario", "s.yaml"),
         ("s.yaml: line 3", "duplicate key 'incidents'"),
         {"s.yaml": "description: x\nincidents: []\nincidents: []\n"}),
    Case("two overlapping outages", ("run", "-q", str(DEAL), "--scenario", "s.yaml", "--out", "out"),
         ("s.yaml", "incidents[1] (servicer_outage from 2021-03-05) overlaps incidents[0]", "until 2021-03-10"),
         {"s.yaml": scenario({"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": 7},
                             {"kind": "servicer_outage", "start": "2021-03-05", "duration_business_days": 3})}),
    Case("two insolvencies of the originator", ("validate", str(DEAL), "--scenario", "s.yaml"),
         ("s.yaml", "incidents[1] (originator_insolvency from 2021-09-01) overlaps incidents[0]",
          "cannot become insolvent twice"),
         {"s.yaml": scenario({"kind": "originator_insolvency", "start": "2021-03-01"},
                             {"kind": "originator_insolvency", "start": "2021-09-01"})}),
    Case("two servicer insolvencies before a successor", ("validate", str(DEAL), "--scenario", "s.yaml"),
         ("s.yaml", "incidents[1] (servicer_insolvency from 2021-07-01) overlaps incidents[0]"),
         {"s.yaml": scenario(*[{"kind": "servicer_insolvency", "start": start, "recovery_rate": 0.5,
                                "recovery_delay_days": 90, "successor_after_days": 60}
                               for start in ("2021-06-10", "2021-07-01")])}),
    Case("an outage running past the calendar", ("run", "-q", str(DEAL), "--scenario", "s.yaml", "--out", "out"),
         ("s.yaml", "incidents[0] (servicer_outage).duration_business_days: 250 business days from 2023-06-01"),
         {"s.yaml": scenario({"kind": "servicer_outage", "start": "2023-06-01", "duration_business_days": 250})}),
    Case("an unknown incident kind", ("validate", str(DEAL), "--scenario", "s.yaml"),
         ("s.yaml: incidents[0]: ", "'alien_invasion'"),
         {"s.yaml": scenario({"kind": "alien_invasion", "start": "2021-01-04"})}),
    Case("a scenario not UTF-8", ("validate", str(DEAL), "--scenario", "s.yaml"), ("s.yaml: not UTF-8",),
         {"s.yaml": "description: caf\xe9\n".encode("latin-1")}),
    # ------------------------------------------------------------ flags of run
    Case("run --seed 2**70", ("run", "-q", str(DEAL), "--seed", BIG_SEED, "--out", "out"),
         ("'--seed'", "less than or equal to 9223372036854775807")),
    Case("run --seed -1", ("run", "-q", str(DEAL), "--seed", "-1", "--out", "out"), ("'--seed'",)),
    Case("run --tape-at not a date", ("run", "-q", str(DEAL), "--tape-at", "soon", "--out", "out"),
         ("--tape-at: 'soon' is not a date",)),
    # ------------------------------------------------------------ Monte Carlo
    Case("montecarlo --paths 10**12", ("montecarlo", str(DEAL), "--out", "mc", "--paths", str(10**12)),
         ("'--paths'", "less than or equal to 100000000")),
    Case("montecarlo --paths beyond memory", ("montecarlo", str(DEAL), "--out", "mc", "--paths", "100000000"),
         ("--paths: 100,000,000 paths would keep about", "available now", "paths fit")),
    Case("montecarlo --paths 0", ("montecarlo", str(DEAL), "--out", "mc", "--paths", "0"),
         ("--paths: must be at least 1",)),
    Case("montecarlo --seed 2**70", ("montecarlo", str(DEAL), "--out", "mc", "--seed", BIG_SEED), ("'--seed'",)),
    Case("montecarlo --workers 0", ("montecarlo", str(DEAL), "--out", "mc", "--paths", "2", "--workers", "0"),
         ("--workers",)),
    Case("montecarlo --workers 10**6", ("montecarlo", str(DEAL), "--out", "mc", "--workers", "1000000"),
         ("'--workers'", "less than or equal to 1024")),
    Case("montecarlo --engine unknown", ("montecarlo", str(DEAL), "--out", "mc", "--paths", "2", "--engine", "gpu"),
         ("--engine: unknown engine 'gpu'",)),
    Case("montecarlo --operational missing", ("montecarlo", str(DEAL), "--out", "mc", "--operational", "op.yaml"),
         ("--operational: op.yaml: file not found",)),
    Case("an operational file with a key given twice",
         ("montecarlo", str(DEAL), "--out", "mc", "--paths", "2", "--operational", "op.yaml"),
         ("op.yaml: line 5", "duplicate key 'servicer_outage'"),
         {"op.yaml": "incidents:\n  servicer_outage:\n    annual_probability: 0.1\n"
                     "    fields: {duration_business_days: {dist: fixed, value: 2}}\n"
                     "  servicer_outage:\n    annual_probability: 0.9\n"}),
    Case("an operational distribution drawing past a field's bound",
         ("montecarlo", str(DEAL), "--out", "mc", "--paths", "4", "--workers", "1", "--no-credit",
          "--operational", "op.yaml"),
         ("(Monte Carlo path", "incidents[0].duration_business_days", "less than or equal to 250"),
         {"op.yaml": "incidents:\n  servicer_outage:\n    annual_probability: 0.9\n    fields:\n"
                     "      duration_business_days: {dist: lognormal, median: 2, sigma: 50, integer: true}\n"}),
    Case("a credit file with an unknown field",
         ("montecarlo", str(DEAL), "--out", "mc", "--paths", "2", "--credit", "cr.yaml"), ("cr.yaml",),
         {"cr.yaml": (MC / "credit.yaml").read_text(encoding="utf-8") + "\nsurprise: 1\n"}),
    # ------------------------------------------------------------ stress and break-even
    Case("stress --rating unknown", ("stress", str(DEAL), "--rating", "ZZZ"), ("--rating", "'ZZZ'")),
    Case("stress --case unknown", ("stress", str(DEAL), "--case", "sunny"), ("--case", "'sunny'")),
    Case("a stress method with a key given twice", ("stress", str(DEAL), "--method", "m.yaml"),
         ("m.yaml: line", "duplicate key 'ramp_months'"),
         {"m.yaml": STRESS.read_text(encoding="utf-8") + "\nramp_months: 3\n"}),
    Case("breakeven grid of 100,000 points an axis",
         ("breakeven", str(DEAL), "--out", "be", "--grid-write-off", "0:10:100000"),
         ("--grid-write-off: N must be 1 to 1,000 points",)),
    Case("breakeven grid axis not numbers", ("breakeven", str(DEAL), "--out", "be", "--grid-purchase", "a:b:c"),
         ("--grid-purchase: expected START:STOP:N",)),
    Case("breakeven grid axis with infinity", ("breakeven", str(DEAL), "--out", "be", "--grid-write-off", "0,inf"),
         ("--grid-write-off: every value must be a finite number",)),
    Case("breakeven --dimension unknown", ("breakeven", str(DEAL), "--out", "be", "--dimension", "luck"),
         ("--dimension: unknown stress dimension 'luck'",)),
    Case("breakeven --tolerance 0", ("breakeven", str(DEAL), "--out", "be", "--tolerance", "0"),
         ("--tolerance: must be positive",)),
    # ------------------------------------------------------------ tapes and pool commands
    Case("pool generate --seed 2**70", ("pool", "generate", "--out", "t.parquet", "--seed", BIG_SEED),
         ("'--seed'",)),
    Case("pool generate --scale 0", ("pool", "generate", "--out", "t.parquet", "--scale", "0"),
         ("--scale: 0.0 is outside (0, 10]",)),
    Case("pool generate to CSV", ("pool", "generate", "--out", "t.csv", "--scale", "0.001"),
         ("--out: t.csv must end in .parquet",)),
    Case("pool generate --as-of not a date", ("pool", "generate", "--out", "t.parquet", "--as-of", "2020-13-01"),
         ("--as-of: '2020-13-01' is not a date",)),
    Case("numeric text in a tape's principal_fen", ("pool", "validate", "t.parquet"),
         ("t.parquet: column principal_fen: expected integers", "string", "'100000'"),
         {"t.parquet": tape({"principal_fen": "100000"}, {"principal_fen": "2500"})}),
    Case("text in a tape's credit_level", ("pool", "strats", "t.parquet"),
         ("t.parquet: column credit_level: expected integers",),
         {"t.parquet": tape({"credit_level": "2"})}),
    Case("a negative balance on a tape", ("pool", "validate", "t.parquet"),
         ("t.parquet: row 2 (loan_id 2): column principal_fen: negative balance -5",),
         {"t.parquet": tape({}, {"principal_fen": -5})}),
    Case("a CSV tape with a bad date", ("pool", "validate", "t.csv", "--as-of", "2020-07-27"),
         ("t.csv: row 2 (loan_id 2): column origination_date", "is not a date"),
         {"t.csv": csv_tape({}, {"origination_date": "10/05/2020"})}),
    Case("a tape missing a column", ("pool", "validate", "t.parquet"), ("t.parquet: missing column(s): worst_dpd",),
         {"t.parquet": tape({"worst_dpd": ...})}),
    Case("a tape that is not Parquet", ("pool", "strats", "t.parquet"), ("t.parquet: not a readable Parquet",),
         {"t.parquet": b"PK\x03\x04 not parquet"}),
    Case("a tape not found", ("pool", "validate", "gone.parquet"), ("gone.parquet: file not found",)),
    Case("a run of a loan-level deal whose tape has text balances",
         ("run", "-q", "deal.yaml", "--out", "out"), ("column principal_fen: expected integers",),
         {"t.parquet": tape({"principal_fen": "100000"}), "deal.yaml": loans_deal_with_tape("t.parquet")}),
    # ------------------------------------------------------------ run folders: audit, query, report
    Case("audit of a folder that is not a run", ("audit", "notarun"), ("notarun",),
         {"notarun/readme.txt": "hello"}),
    Case("audit --limit 0", ("audit", "run", "--limit", "0"), ("'--limit'",), {"run": RUN}),
    Case("audit of a log with a payment taken out", ("audit", "run", "-q"), ("checks failed",),
         {"run": tampered_run}, code=1),
    Case("query with bad SQL", ("query", "run", "SELEC 1"), ("bad SQL",), {"run": RUN}),
    Case("query --format xml", ("query", "run", "SELECT 1", "--format", "xml"),
         ("--format: 'xml' is not one of table, csv, json",), {"run": RUN}),
    Case("query of a run folder that does not exist", ("query", "gone", "SELECT 1"), ("gone",)),
    Case("report of a run folder that does not exist", ("report", "gone", "-q"), ("gone",)),
    Case("query with no SQL", ("query", "run", " ;"), ("SQL: no statement given",), {"run": RUN}),
    Case("a date that does not exist in a deal file", ("validate", "deal.yaml"),
         ("deal.yaml: line", "'2020-13-18' is not a date"),
         {"deal.yaml": DEAL.read_text(encoding="utf-8").replace("trust_effective_date: 2020-08-18",
                                                                 "trust_effective_date: 2020-13-18")}),
    Case("a date that does not exist in a holiday file",
         ("validate", DEAL, "--holiday-file", "hf.yaml"), ("hf.yaml: line 3", "'2030-02-30' is not a date"),
         {"hf.yaml": "years:\n  2030:\n    holidays: [2030-02-30]\n"}),
    Case("run --out a path under a file", ("run", "-q", DEAL, "--out", "notes.txt/run"),
         ("notes.txt is a file, not a folder",), {"notes.txt": "mine"}),
    Case("run --out the current folder", ("run", "-q", DEAL, "--out", "."),
         ("is the current folder or holds it",), {"keep.txt": "mine"}),
    Case("query that writes a file", ("query", "run", "COPY (SELECT 1) TO 'stolen.csv'"), ("refused",),
         {"run": RUN}),
    Case("query that reads a file outside the run", ("query", "run", "SELECT * FROM read_csv('/etc/passwd')"),
         ("refused",), {"run": RUN}),
    # ------------------------------------------------------------ outputs that are not trustsim's
    Case("run --out a folder of the user's", ("run", "-q", DEAL, "--out", "mywork"),
         ("--out mywork: the folder exists and was not written by trustsim (it holds thesis.txt)",),
         {"mywork/thesis.txt": "work"}),
    Case("run --out a file of the user's", ("run", "-q", DEAL, "--out", "notes.txt"),
         ("--out notes.txt: exists and is not a folder",), {"notes.txt": "mine"}),
    Case("run --out ''", ("run", "-q", DEAL, "--out", ""), ("'--out'", "empty")),
    Case("report --out a folder of the user's", ("report", "run", "-q", "--out", "mywork"),
         ("--out mywork: the folder exists and was not written by trustsim",),
         {"run": RUN, "mywork/a.txt": "mine"}),
    Case("audit --parquet into a run folder", ("audit", "run", "-q", "--parquet", "run"),
         ("holds a trustsim run output, not a audit-parquet",), {"run": RUN}),
    Case("stress --json over a file of the user's",
         ("stress", DEAL, "--rating", "AAA", "--case", "issuance_ok", "--json", "mine.json"),
         ("--json mine.json: the file exists and is not an earlier trustsim stress output",),
         {"mine.json": '{"mine": 1}'}),
]

_RUN_FOLDER: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def finished_run(tmp_path_factory):
    """One run of the bundled deal, made through the CLI, for the rows that read a run folder."""
    out = tmp_path_factory.mktemp("battery") / "run"
    result = run_cli("run", "-q", DEAL, "--out", out)
    assert result.returncode == 0, result.stderr
    _RUN_FOLDER[:] = [out]
    return out


def _create(folder: Path, files: dict[str, Content]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == RUN:
            shutil.copytree(_RUN_FOLDER[0], path)
        elif callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def test_the_battery_is_large_and_each_name_is_unique():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_is_refused_naming_what_to_fix_and_leaves_nothing(case: Case, tmp_path: Path):
    _create(tmp_path, case.files)
    before = files_under(tmp_path)
    result = run_cli(*case.argv, cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode == case.code, said
    assert "Traceback" not in result.stderr, result.stderr
    for words in case.says:
        assert words in said, f"{words!r} not in:\n{said}"
    assert files_under(tmp_path) == before, "the command left files behind"

