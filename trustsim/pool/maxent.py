"""Maximum-entropy category assignment: P(category | balance) matching counts and principal.

Why: the report gives, for each stratification (instalments, credit level, fee band,
region...), both the number of receivables and their principal in each category. A
category's average balance differs from the pool's (one-off purchases are small, Level4
obligors borrow little), so categories cannot be assigned independently of balance. The
least presumptuous model that meets both margins is the maximum-entropy one,
``P(a | b) ∝ exp(θ · f(a, b))`` with features ``f`` = category indicators and
indicators times balance; its dual is convex and solved here by damped Newton steps on
a histogram of balances (a few thousand bins, whatever the tape size).
"""

from __future__ import annotations

import numpy as np


def solve(features: np.ndarray, weights: np.ndarray, target: np.ndarray,
          tol: float = 1e-8, max_iter: int = 100) -> np.ndarray:
    """Solve for θ so that ``Σ_j w_j Σ_a p(a|j) f(j, a) = target``.

    ``features``: shape (bins, categories, F); ``weights``: (bins,); ``target``: (F,).
    Returns the probabilities, shape (bins, categories). Raises if the margins cannot be
    met (the target is outside what any assignment can reach).
    """
    _bins, _cats, nf = features.shape
    theta = np.zeros(nf)
    scale = np.abs(target) + 1.0

    def dual(th: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        s = features @ th
        m = s.max(axis=1, keepdims=True)
        e = np.exp(s - m)
        z = e.sum(axis=1, keepdims=True)
        p = e / z
        value = float(weights @ (np.log(z[:, 0]) + m[:, 0]) - th @ target)
        return value, p, s

    value, p, _ = dual(theta)
    for _ in range(max_iter):
        ef = _expected(p, features)                            # E[f | bin]
        grad = weights @ ef - target
        if np.all(np.abs(grad) <= tol * scale):
            return p
        # Σ_j w_j Cov(f | bin j) as one matrix product over (bin, category) rows (an
        # einsum over four operands loops in C, ten times slower)
        centred = (features - ef[:, None, :]).reshape(-1, nf)
        hess = centred.T @ (centred * (weights[:, None] * p).reshape(-1, 1))
        hess += np.eye(nf) * (1e-12 * np.trace(hess) / nf + 1e-300)
        step = np.linalg.lstsq(hess, -grad, rcond=1e-12)[0]
        t = 1.0
        while True:
            new_value, new_p, _ = dual(theta + t * step)
            if new_value <= value + 1e-4 * t * (grad @ step) or t < 1e-10:
                break
            t *= 0.5
        if t < 1e-10:
            break
        theta = theta + t * step
        value, p = new_value, new_p
    grad = weights @ _expected(p, features) - target
    if np.any(np.abs(grad) > 1e-6 * scale):
        raise ValueError(f"category margins cannot be met (residual {grad})")
    return p


def _expected(p: np.ndarray, features: np.ndarray) -> np.ndarray:
    """E[f | bin], shape (bins, F): each bin's probabilities times its features."""
    return np.matmul(p[:, None, :], features)[:, 0, :]


def count_and_principal_features(categories: np.ndarray, balance: np.ndarray) -> np.ndarray:
    """Features (bins, C, 2K) for category groups: indicator and indicator x balance.

    ``categories``: (C, K) 0/1 membership of each category in each of K margin cells.
    """
    c, k = categories.shape
    f = np.zeros((len(balance), c, 2 * k))
    f[:, :, :k] = categories[None, :, :]
    f[:, :, k:] = categories[None, :, :] * balance[:, None, None]
    return f


def kronecker(dim: int, rng: np.random.Generator) -> tuple[float, float]:
    """The shift and step of low-discrepancy uniforms ``u_j = (shift + j·step) mod 1``.

    Items in balance order receive consecutive points of this Kronecker sequence, so
    each category's realized count and principal track their expectations far closer
    than independent draws would (the error grows like log n, not √n); the random shift
    keeps different seeds different. ``dim`` picks an irrational step per stratification
    so the stratifications stay independent of one another. The points are computed
    where they are used (:mod:`trustsim.pool.kernels.generator`), never stored.
    """
    primes = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    return float(rng.random()), float(np.sqrt(primes[dim % len(primes)]) % 1.0)
