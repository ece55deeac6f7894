"""What every actor shares: a mailbox, a dispatcher, and its voice in the audit log.

Why addresses and not actors: a party knows another only by where to send it a message
(its :class:`Mailbox`), never by its object, so it cannot read another party's state — what
it knows, it was told, with a date and a time. ``tests/unit/test_actor_isolation.py`` checks it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import simpy

from trustsim.sim.environment import TrustEnvironment


class Mailbox:
    """A FIFO of messages for one actor, in SimPy terms.

    Why not ``simpy.Store``: a store schedules a put and a get event per message; an actor
    that handles its messages in order needs only to be woken once per burst. ``put``
    appends and wakes the actor if it is waiting; the actor drains the queue in its own
    process at the same simulation time, so ordering and determinism are as with a store.
    """

    __slots__ = ("_env", "_wake", "items")

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self.items: deque[object] = deque()
        self._wake: simpy.Event | None = None

    def put(self, msg: object) -> None:
        self.items.append(msg)
        wake = self._wake
        if wake is not None:
            self._wake = None
            wake.succeed()

    def wait(self) -> simpy.Event:
        self._wake = self._env.event()
        return self._wake


class Actor:
    """A party of the contract: receives messages in ``inbox`` and handles each with ``on_<Type>``."""

    name = "actor"

    def __init__(self, env: TrustEnvironment) -> None:
        self.env = env
        self.inbox = Mailbox(env)
        self._handlers: dict[type, Any] = {}
        self.mailroom = env.process(self._serve())

    def _serve(self):
        items = self.inbox.items
        while True:
            while items:
                msg = items.popleft()
                handler = self._handlers.get(type(msg))
                if handler is None:
                    handler = getattr(self, f"on_{type(msg).__name__}", None)
                    if handler is None:
                        raise TypeError(f"{self.name} cannot handle {type(msg).__name__}")
                    self._handlers[type(msg)] = handler
                handler(msg)
            yield self.inbox.wait()

    def send(self, to: Mailbox | None, msg: object) -> None:
        if to is None:  # a wiring error, before any business happens
            raise RuntimeError(f"{self.name} sends {type(msg).__name__} to a party it was not connected to")
        to.put(msg)

    def emit(self, event: str, **fields: Any) -> None:
        self.env.log.emit(self.name, event, **fields)
