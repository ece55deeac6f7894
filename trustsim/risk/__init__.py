"""Risk studies on top of the simulator: the rating agency's stresses, break-evens, Monte Carlo.

Why a package of its own: every study here is many whole runs of the same deal under
different inputs. The modules build those inputs (as deal overlays, never by reaching into
the actors), run them, and read each run back into an :class:`~trustsim.risk.outcome.Outcome`
— cash in and out, who was paid, which triggers fired — so the studies share one reading
of what "a class survives" means.
"""
