"""Request dependencies the matching API's routers and the console share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kakehashi.matching.domain.model import Weights


def weights_of(request: Request) -> Weights:
    """The score weights from the service's settings."""
    settings = request.app.state.settings
    return Weights(
        skills=settings.weight_skills,
        japanese=settings.weight_japanese,
        experience=settings.weight_experience,
        preferences=settings.weight_preferences,
    )


WeightsDep = Annotated[Weights, Depends(weights_of)]
