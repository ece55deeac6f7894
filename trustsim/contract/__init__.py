"""The deal's clauses as code: notes, fees, schedule, waterfalls and triggers.

Nothing here knows about SimPy or actors: these are pure functions and small state
records that the trustee applies, so each clause can be tested alone.
"""
