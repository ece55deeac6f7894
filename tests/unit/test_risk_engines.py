"""Engines are a map: order kept, bad names and counts refused, chunks cover every path once."""

from __future__ import annotations

import pytest

from trustsim.risk.engines import LocalEngine, chunks, make_engine


def test_unknown_engine_and_bad_worker_counts_are_errors():
    with pytest.raises(ValueError, match=r"unknown engine 'spark' \(known: local, dask\)"):
        make_engine("spark")
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        make_engine("local", 0)
    with pytest.raises(ValueError, match="a scheduler address needs the dask engine"):
        make_engine("local", 1, "tcp://127.0.0.1:8786")


def test_one_local_worker_maps_in_order_in_this_process():
    done = []
    assert LocalEngine(1).map(lambda x: x * x, [3, 1, 2], done.append) == [9, 1, 4]
    assert done == [0, 1, 2]


@pytest.mark.parametrize(("n", "workers"), [(1, 2), (10, 1), (10_000, 2), (37, 4)])
def test_chunks_cover_every_path_once_in_order(n, workers):
    parts = chunks(n, workers)
    assert [i for r in parts for i in r] == list(range(n))
    assert max(len(r) for r in parts) <= 200
    assert len(parts) >= min(n, 2 * workers)
