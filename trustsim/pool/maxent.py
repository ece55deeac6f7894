"""Maximum-entropy category assignment: P(category | balance) matching counts and principal.

Why: the report gives, for each stratification (instalments, credit level, fee band,
region...), both the number of receivables and their principal in each category. A
category's average balance differs from the pool's (one-off purchases are small, Level4
obligors borrow little), so categories cannot be assigned independently of balance. The
least presumptuous model that meets both margins is the maximum-entropy one,
``P(a | b) ∝ exp(θ · f(a, b))`` with features ``f`` = margin-cell indicators and
indicators times balance; its dual is convex and solved here by damped Newton steps on
a histogram of balances (a few thousand bins, whatever the tape size).
"""

from __future__ import annotations

import numpy as np


def solve(membership: np.ndarray, balance: np.ndarray, weights: np.ndarray,
          target: np.ndarray, tol: float = 1e-8, max_iter: int = 100) -> np.ndarray:
    """Solve for θ so that ``Σ_j w_j Σ_a p(a|j) f(j, a) = target``.

    The features of category ``a`` in bin ``j`` are ``f = (m_a, x_j m_a)``: ``m_a`` its
    row of ``membership`` (C, K), 0/1 in each of K margin cells, and ``x_j`` the bin's
    ``balance``; so ``target`` is the K counts then the K principals. ``weights``: items
    per bin. Returns the probabilities, shape (bins, C). Raises if the margins cannot be
    met (the target is outside what any assignment can reach).

    Why by blocks: with these features the gradient and the Hessian are K x K sums over
    bins (``Cov(f | j)`` is ``Cov(m | j)`` times 1, ``x_j`` and ``x_j²``), a few thousand
    products instead of a (bin, category, feature, feature) contraction; and einsum
    keeps them off BLAS, whose threads fight whatever else the machine runs.
    """
    m = np.asarray(membership, np.float64)
    k = m.shape[1]
    x = np.asarray(balance, np.float64)
    wx = np.stack([weights, weights * x, weights * x * x])       # w_j x_j^0, ^1, ^2
    theta = np.zeros(2 * k)
    scale = np.abs(target) + 1.0

    def dual(th: np.ndarray) -> tuple[float, np.ndarray]:
        s = (m @ th[:k])[None, :] + x[:, None] * (m @ th[k:])[None, :]
        top = s.max(axis=1, keepdims=True)
        e = np.exp(s - top)
        z = e.sum(axis=1, keepdims=True)
        value = float(np.einsum("j,j->", weights, np.log(z[:, 0]) + top[:, 0]) - th @ target)
        return value, e / z

    def gradient(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = np.einsum("jc,ck->jk", p, m)                          # E[m | bin]
        return np.concatenate(np.einsum("tj,jk->tk", wx[:2], q)) - target, q

    value, p = dual(theta)
    for _ in range(max_iter):
        grad, q = gradient(p)
        if np.all(np.abs(grad) <= tol * scale):
            return p
        # Σ_j w_j x_j^t Cov(m | j) = M' diag(Σ_j w_j x_j^t p_j) M - Σ_j w_j x_j^t q_j q_j'
        diag = np.einsum("tj,jc->tc", wx, p)
        cov = (np.einsum("ck,tc,cl->tkl", m, diag, m)
               - np.einsum("tj,jk,jl->tkl", wx, q, q))
        hess = np.block([[cov[0], cov[1]], [cov[1], cov[2]]])
        hess += np.eye(2 * k) * (1e-12 * np.trace(hess) / (2 * k) + 1e-300)
        step = np.linalg.lstsq(hess, -grad, rcond=1e-12)[0]
        t = 1.0
        new_value, new_p = dual(theta + step)
        # backtrack unless the decrease the step promises is below what the value can
        # resolve in floating point (near the optimum): then the Newton step stands
        if -(grad @ step) > 1e-13 * (abs(value) + 1.0):
            while new_value > value + 1e-4 * t * (grad @ step) and t >= 1e-10:
                t *= 0.5
                new_value, new_p = dual(theta + t * step)
        if t < 1e-10:
            break
        theta = theta + t * step
        value, p = new_value, new_p
    grad, _ = gradient(p)
    if np.any(np.abs(grad) > 1e-6 * scale):
        raise ValueError(f"category margins cannot be met (residual {grad})")
    return p


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
