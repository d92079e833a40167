"""The digest's one image: a week of mentions per tracked item (or of a loss counter).

Drawn with matplotlib's Agg canvas directly, never through pyplot: no GUI backend is ever
chosen, and no global figure state is shared, so charts may be drawn in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_TITLES = {
    "mentions": {"uk": "Згадки за тиждень", "en": "Mentions over the week"},
    "losses": {
        "uk": "Втрати противника за добу: особовий склад",
        "en": "Enemy losses per day: personnel",
    },
}


def render_chart(
    kind: str, days: Sequence[date], series: Mapping[str, Sequence[int]], *, lang: str = "uk"
) -> bytes:
    """A PNG of ``series`` (label -> one value per day), grouped bars per day."""
    fig = Figure(figsize=(8, 4.5), dpi=100)
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
    titles = _TITLES.get(kind, _TITLES["mentions"])
    ax.set_title(titles.get(lang, titles["uk"]))
    ax.grid(axis="y", alpha=0.3)
    if series:
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
