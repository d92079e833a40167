"""Claims (who says what about which place) and contradictions between them."""

from bot.analysis.claims.analyze import ClaimHistory, PlaceTools, PostClaims, default_place_tools
from bot.analysis.claims.contradict import VALIDITY_WINDOW, EpisodeTracker, find_contradictions
from bot.analysis.claims.extract import extract_claims
from bot.analysis.claims.losses import LossFigure, parse_losses
from bot.analysis.claims.model import Claim, Contradiction, Kind, StoredClaimRef

__all__ = [
    "VALIDITY_WINDOW",
    "Claim",
    "ClaimHistory",
    "Contradiction",
    "EpisodeTracker",
    "Kind",
    "LossFigure",
    "PlaceTools",
    "PostClaims",
    "StoredClaimRef",
    "default_place_tools",
    "extract_claims",
    "find_contradictions",
    "parse_losses",
]
