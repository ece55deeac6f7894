"""The four parties of the trust as SimPy processes that talk only through messages."""
