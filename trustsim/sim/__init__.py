"""The machinery that runs a deal: environment, clock, random streams, runner."""
