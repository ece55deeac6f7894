"""``python -m trustsim``: the ``trustsim`` command (e.g. ``python -X importtime -m trustsim --help``)."""

from trustsim.cli import main

if __name__ == "__main__":
    main()
