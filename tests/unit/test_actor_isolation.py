"""Parties know only what they are told: no actor holds another actor, only its mailbox.

Issue 13's structural rule: what the trustee acts on (the originator's rating, the
servicer's held collections...) arrives as a dated message, because it cannot reach the
other party's object to read it. Checked on the wired parties of every bundled deal, through
every attribute, container and mailbox an actor holds.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from trustsim.actors.base import Actor, Mailbox
from trustsim.config import load_deal
from trustsim.sim.runner import build, run_deal

DEALS = sorted((Path(__file__).resolve().parents[2] / "configs" / "deals").glob("*.yaml"))


def _held(value: Any, depth: int = 0) -> list[Any]:
    """Everything reachable from ``value`` through lists, tuples, sets and dict values."""
    if depth > 3:
        return []
    out = [value]
    if isinstance(value, dict):
        for v in value.values():
            out += _held(v, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            out += _held(v, depth + 1)
    return out


def _attributes(actor: Actor) -> dict[str, Any]:
    names = set(getattr(actor, "__dict__", {}))
    for cls in type(actor).__mro__:
        names.update(getattr(cls, "__slots__", ()))
    return {n: getattr(actor, n) for n in names if hasattr(actor, n)}


@pytest.mark.parametrize("deal_file", [d for d in DEALS if "loans" not in d.name], ids=lambda p: p.stem)
def test_no_actor_holds_another_actor_only_its_mailbox(deal_file: Path) -> None:
    env, parties = build(load_deal(deal_file), None)
    actors = [parties.originator, parties.servicer, parties.trustee, parties.custodian]
    for actor in actors:
        for name, value in _attributes(actor).items():
            for held in _held(value):
                assert not (isinstance(held, Actor) and held is not actor), (
                    f"{actor.name}.{name} holds the {held.name} itself: send it messages instead")
    # nor can one reach another through the environment they share
    for name, value in vars(env).items():
        assert not any(isinstance(h, Actor) for h in _held(value)), f"env.{name} holds an actor"
    # each is wired to the others' mailboxes
    others = {a.name: a.inbox for a in actors}
    t = parties.trustee
    assert (t.custodian, t.servicer, t.originator) == (others["custodian"], others["servicer"], others["originator"])
    assert all(isinstance(m, Mailbox) for m in (t.custodian, t.servicer, t.originator))


def test_the_check_finds_an_actor_holding_another() -> None:
    """The check can fail: an actor given another actor's object is caught."""
    _env, parties = build(load_deal(DEALS[0]), None)
    parties.trustee.servicer = parties.servicer   # type: ignore[assignment]
    found = [n for n, v in _attributes(parties.trustee).items()
             if any(isinstance(h, Actor) and h is not parties.trustee for h in _held(v))]
    assert found == ["servicer"]



@pytest.mark.parametrize("deal_file", [d for d in DEALS if "loans" not in d.name], ids=lambda p: p.stem)
def test_only_the_custodian_posts_into_an_account_of_the_trust(deal_file: Path) -> None:
    """The servicer's sweep is an instruction the custodian executes, a price or compensation
    is paid to the custodian: every posting into one of the trust's accounts — the trust
    account, the issuance proceeds, the eligible investments, the reserves — is the
    custodian's, whoever pays (read from a whole run's log)."""
    stream = io.BytesIO()
    env, _parties, _summary = run_deal(load_deal(deal_file), stream)
    trust = set(env.ledger.balances) - {"collection_account"}
    into = [json.loads(line) for line in stream.getvalue().splitlines()]
    by = {e["actor"] for e in into if e.get("debit") in trust}
    assert by == {"custodian"}
