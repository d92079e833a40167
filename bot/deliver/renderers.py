"""Every alert kind's renderer, registered in one place.

The dispatcher hands a renderer the stored JSON of an alert and the chat's decoded reasons;
kinds with a typed payload (``bot.core.alert``) are decoded here, once, before their renderer
sees them. Kinds without one (digests, admin notices) get their JSON as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.alert import (
    AlertKind,
    Reasons,
    contradiction_alert_from_json,
    edit_alert_from_json,
    post_alert_from_json,
)
from bot.deliver.contradiction import render_contradiction_alert
from bot.deliver.render import Rendered, render_alert
from bot.digest.render import render_digest, render_digest_chart
from bot.ops.sources import render_source_health

if TYPE_CHECKING:
    from bot.analysis.places import Gazetteer


class Renderer(Protocol):
    def __call__(
        self, payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str
    ) -> Rendered: ...


def alert_renderers(gazetteer: Callable[[], Gazetteer]) -> dict[str, Renderer]:
    """Kind → renderer; place names come from ``gazetteer()``, called when an alert that
    names places is rendered (a process that only sends digests never loads it)."""

    def post(payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str) -> Rendered:
        alert = post_alert_from_json(payload)
        return render_alert(alert, reasons, lang=lang, tz=tz, gaz=gazetteer())

    def edit(payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str) -> Rendered:
        alert = edit_alert_from_json(payload)
        return render_alert(alert, reasons, lang=lang, tz=tz, gaz=gazetteer())

    def contradiction(
        payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str
    ) -> Rendered:
        alert = contradiction_alert_from_json(payload)
        return render_contradiction_alert(alert, reasons, lang=lang, tz=tz, gaz=gazetteer())

    def digest(payload: Mapping[str, Any], reasons: Reasons, *, lang: str, tz: str) -> Rendered:
        return render_digest(payload, reasons, lang=lang, tz=tz, gaz=gazetteer())

    return {
        AlertKind.MATCH: post,
        AlertKind.EDIT: edit,
        AlertKind.CONTRADICTION: contradiction,
        AlertKind.SOURCE_HEALTH: render_source_health,
        AlertKind.DIGEST: digest,
        AlertKind.DIGEST_CHART: render_digest_chart,
    }
