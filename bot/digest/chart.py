"""The digest's one image: a week of mentions per tracked item (or of a loss counter).

Drawn with matplotlib's Agg canvas directly, never through pyplot: no GUI backend is ever
chosen, and no global figure state is shared, so charts may be drawn in a worker thread.

Read on a phone: a taller figure than a desktop chart, both axes labelled, the legend below
the bars (never over them), and every word in the chat's language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.core.i18n import t

SIZE = (8, 6)  # inches at 100 dpi: 800×600, 4:3 fills a phone's width without a zoom
LEGEND_COLUMNS = 2


def render_chart(
    kind: str, days: Sequence[date], series: Mapping[str, Sequence[int]], *, lang: str = "uk"
) -> bytes:
    """A PNG of ``series`` (name -> one value per day), grouped bars per day. The names
    are already in ``lang``."""
    fig = Figure(figsize=SIZE, dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [d.strftime("%d.%m") for d in days]
    n = max(1, len(series))
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [x - 0.4 + width * (i + 0.5) for x in range(len(days))]
        ax.bar(xs, list(values), width=width, label=name)
    ax.set_xticks(range(len(days)), labels)
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    losses = kind == "losses"
    # Larger than matplotlib's defaults: the image is seen shrunk to a phone's width.
    ax.set_title(t(lang, "chart.losses" if losses else "chart.mentions"), fontsize=16)
    ax.set_xlabel(t(lang, "chart.axis_day"), fontsize=13)
    ax.set_ylabel(t(lang, "chart.axis_losses" if losses else "chart.axis_mentions"), fontsize=13)
    ax.tick_params(labelsize=12)
    ax.grid(axis="y", alpha=0.3)
    rows = 0
    if series:
        cols = min(LEGEND_COLUMNS, len(series))
        rows = -(-len(series) // cols)
        # Below the axes, outside the plot: five long place names never hide a bar.
        fig.legend(loc="lower center", ncols=cols, fontsize=13, frameon=False, borderaxespad=0.3)
    fig.tight_layout(rect=(0, 0.065 * rows, 1, 1))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
