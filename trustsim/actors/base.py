"""What every actor shares: a mailbox, a dispatcher, and its voice in the audit log."""

from __future__ import annotations

from typing import Any

import simpy

from trustsim.sim.environment import TrustEnvironment


class Actor:
    """A party of the contract: receives messages in ``inbox`` and handles each with ``on_<Type>``."""

    name = "actor"

    def __init__(self, env: TrustEnvironment) -> None:
        self.env = env
        self.inbox = simpy.Store(env)
        self._handlers: dict[type, Any] = {}
        self.mailroom = env.process(self._serve())

    def _serve(self):
        while True:
            msg = yield self.inbox.get()
            handler = self._handlers.get(type(msg))
            if handler is None:
                handler = getattr(self, f"on_{type(msg).__name__}", None)
                if handler is None:
                    raise TypeError(f"{self.name} cannot handle {type(msg).__name__}")
                self._handlers[type(msg)] = handler
            handler(msg)

    def send(self, to: Actor, msg: object) -> None:
        to.inbox.put(msg)

    def emit(self, event: str, **fields: Any) -> None:
        self.env.log.emit(self.name, event, **fields)
