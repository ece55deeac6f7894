"""Worker processes that never outlive the study that started them.

Why: a Monte Carlo or break-even study fans paths out to worker processes. If the
parent is killed (SIGKILL, an out-of-memory kill, a closed terminal) the workers must
not go on computing for nobody, each holding a hundred megabytes. On Linux the kernel
does it for us: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks it to kill the worker the
moment its parent dies. Elsewhere, and in the window before the call takes effect, the
worker checks that its parent is still the process that started it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> bool:
    """Make this process die when ``parent_pid`` (its parent) does; True if the kernel will see to it."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except OSError:
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
    return armed


def die_with_current_parent() -> bool:
    """:func:`die_with_parent` for whichever process is this one's parent now (Dask's nannies)."""
    return die_with_parent(os.getppid())


def init_worker(parent_pid: int) -> None:
    """A local worker's initializer: die with the parent, leave Ctrl-C to it, one thread.

    Ctrl-C reaches the whole process group; the parent stops the study and its workers, so
    a worker that also raised KeyboardInterrupt would only print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    from trustsim.pool.kernels import one_thread

    one_thread()
