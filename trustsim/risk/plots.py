"""Figures for the risk studies (matplotlib, no display needed).

Why plots in the package: a study folder should be readable without a notebook — the
loss distribution, when triggers fire, what commingling costs, which incidents matter,
and the break-even heat map — each one PNG beside the table it draws.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

#: class colours by seniority; the most junior of several classes is grey
PALETTE = ("#1f4e79", "#c55a11", "#2e7d32", "#6a3d9a", "#b8860b", "#00838f", "#ad1457", "#5d4037")
JUNIOR = "#7f7f7f"


def colours(classes: list[str]) -> dict[str, str]:
    """A colour per class, most senior first; the most junior (of two or more) grey."""
    out = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}
    if len(classes) > 1:
        out[classes[-1]] = JUNIOR
    return out


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def loss_distribution(res: Any, summary: dict[str, Any], path: Path) -> None:
    """Exceedance curves: P(loss >= x) against x, as % of each class's principal."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    n = len(res.rows)
    colour = colours([cl["class"] for cl in summary["class_losses"]])
    for cl in summary["class_losses"]:
        c = cl["class"]
        pct = np.sort(np.array([r[f"{c}_loss_fen"] for r in res.rows], dtype=float) / cl["principal_fen"] * 100)
        exceed = 1 - np.arange(n) / n
        ax.step(pct, exceed, where="post", color=colour[c],
                label=f"{c}: EL {cl['expected_loss_pct']:.3f}%, P(loss) {cl['probability_of_loss']:.2%}")
    ax.set_yscale("log")
    ax.set_ylim(1 / (10 * n), 1.05)
    ax.set_xlabel("loss, % of the class's principal")
    ax.set_ylabel("probability of a loss at least this large")
    ax.set_title(f"{summary['deal']}: loss distribution per class ({n:,} paths)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def trigger_timing(res: Any, summary: dict[str, Any], path: Path) -> None:
    """Left: each trigger's probability. Right: when those that fired fired."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    tr = summary["triggers"]
    names = [t["trigger"] for t in tr]
    a1.barh(names, [t["probability"] for t in tr], color="#1f4e79")
    a1.set_xlabel("probability of firing")
    a1.invert_yaxis()
    origin = res.study.deal.dates.trust_effective_date
    fired = [(t["trigger"], [(dt.date.fromisoformat(r[f"trigger_{t['trigger']}"]) - origin).days
                             for r in res.rows if r.get(f"trigger_{t['trigger']}")]) for t in tr]
    fired = [(k, v) for k, v in fired if v]
    if fired:
        a2.hist([v for _, v in fired], bins=30, stacked=True, label=[k for k, _ in fired])
        a2.legend(fontsize=7)
    a2.set_xlabel(f"days after the effective date ({origin})")
    a2.set_ylabel("paths")
    a2.set_title("when triggers fire")
    fig.suptitle(f"{summary['deal']}: triggers ({len(res.rows):,} paths)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def commingling(res: Any, summary: dict[str, Any], path: Path) -> None:
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    peak = np.array([r["commingling_peak_fen"] for r in res.rows], dtype=float) / 1e6
    lost = np.array([r["commingling_lost_fen"] for r in res.rows], dtype=float) / 1e6
    a1.hist(peak, bins=40, color="#1f4e79")
    a1.set_xlabel("peak balance at the servicer, any calendar day (wan CNY)")
    a1.set_ylabel("paths")
    a1.set_title("commingling exposure")
    hit = lost[lost > 0]
    if hit.size:
        a2.hist(hit, bins=30, color="#c55a11")
    a2.set_xlabel("collections lost in the servicer's estate (wan CNY)")
    a2.set_title(f"commingling loss: P = {summary['commingling']['probability_of_loss']:.2%}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def contributions(summary: dict[str, Any], path: Path) -> None:
    plt = _plt()
    rows = summary["incident_contributions"]
    classes = [cl["class"] for cl in summary["class_losses"]]
    colour = colours(classes)
    fig, ax = plt.subplots(figsize=(9, max(3, 0.45 * len(rows) + 1.5)))
    if rows:
        y = np.arange(len(rows))
        h = min(0.27, 0.8 / len(classes))
        for j, c in enumerate(classes):
            ax.barh(y + (j - (len(classes) - 1) / 2) * h, [r[f"{c}_expected_contribution_fen"] / 1e6 for r in rows],
                    h, color=colour[c], label=c)
        ax.set_yticks(y, [f"{r['kind']} ({r['frequency']:.1%})" for r in rows])
        ax.invert_yaxis()
        ax.legend()
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("expected contribution to loss (wan CNY per path)")
    ax.set_title("incident kinds (share of paths): what they add to expected loss")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def study_plots(res: Any, summary: dict[str, Any], folder: Path) -> None:
    loss_distribution(res, summary, folder / "loss_distribution.png")
    trigger_timing(res, summary, folder / "trigger_timing.png")
    commingling(res, summary, folder / "commingling.png")
    contributions(summary, folder / "incident_contributions.png")


def heatmap(rows: list[dict[str, Any]], title: str, path: Path, classes: list[str],
            mark: tuple[float, float] | None = None) -> None:
    """Each class's loss over (write-off multiple, purchase-rate haircut); the pass frontier drawn."""
    plt = _plt()
    ms = sorted({r["write_off_multiple"] for r in rows})
    hs = sorted({r["purchase_haircut"] for r in rows})
    fig, axes = plt.subplots(1, len(classes), figsize=(5 * len(classes), 4.6), sharey=True, squeeze=False)
    axes = axes[0]
    for ax, c in zip(axes, classes, strict=True):
        z = np.full((len(hs), len(ms)), np.nan)
        ok = np.zeros_like(z)
        for r in rows:
            i, j = hs.index(r["purchase_haircut"]), ms.index(r["write_off_multiple"])
            z[i, j] = r[f"{c}_loss_pct"]
            ok[i, j] = 1.0 if r[f"{c}_pass"] else 0.0
        im = ax.pcolormesh(ms, hs, z, shading="nearest", cmap="Reds", vmin=0, vmax=100)
        if 0 < ok.sum() < ok.size and len(ms) > 1 and len(hs) > 1:
            ax.contour(ms, hs, ok, levels=[0.5], colors="black", linewidths=1.2)
        if mark:
            ax.plot(*mark, marker="*", color="gold", markeredgecolor="black", markersize=14)
        ax.set_title(f"{c}: principal loss (%)")
        ax.set_xlabel("write-off multiple")
        fig.colorbar(im, ax=ax)
    axes[0].set_ylabel("purchase-rate haircut")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
