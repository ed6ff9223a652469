"""Request dependencies the matching API's routers and the console share: typed access to the
service's settings and to the objects its process keeps (nothing else reads `app.state`).

They are coroutines because none of them waits on anything: FastAPI runs each synchronous
dependency in a pool thread, a hand-off there and back per dependency and request (a list had
seven), and under concurrent lists those hand-offs cost more than the work (docs/matching.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp

from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.domain.components import COMPONENT_NAMES, Weights
from kakehashi.matching.domain.learning import LearningSettings
from kakehashi.matching.domain.scoring import Surplus
from kakehashi.matching.service_layer.allocation import AllocationRuns
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.matching.service_layer.learning import RankingModels
from kakehashi.matching.service_layer.placement import ListPlacements
from kakehashi.matching.service_layer.services import MatchingServices
from kakehashi.shared.web import settings_of


def install_services(app: FastAPI, services: MatchingServices) -> None:
    """Keep the process's matching objects with the app (read back by `services_of`)."""
    app.state.matching = services


def services_of(app: ASGIApp) -> MatchingServices:
    """The matching objects the app was built with: the one typed accessor of `app.state`."""
    assert isinstance(app, FastAPI)
    services: MatchingServices = app.state.matching
    return services


async def _services(request: Request) -> MatchingServices:
    return services_of(request.app)


async def matching_settings(request: Request) -> MatchingSettings:
    """The service's settings, as the matching subclass."""
    settings = settings_of(request)
    assert isinstance(settings, MatchingSettings)
    return settings


SettingsDep = Annotated[MatchingSettings, Depends(matching_settings)]
ServicesDep = Annotated[MatchingServices, Depends(_services)]


async def _index(services: ServicesDep) -> CandidateIndex:
    return services.candidate_index


async def _ranking_models(services: ServicesDep) -> RankingModels:
    return services.ranking_models


async def _learning_settings(services: ServicesDep) -> LearningSettings:
    return services.learning_settings


async def _allocation_runs(services: ServicesDep) -> AllocationRuns:
    return services.allocation_runs


def weights_of(settings: SettingsDep) -> Weights:
    """The score weights from the service's settings (`weight_<component>`)."""
    return Weights(**{name: getattr(settings, f"weight_{name}") for name in COMPONENT_NAMES})


def surplus_of(settings: SettingsDep) -> Surplus:
    """How strength above what an order asks counts, from the settings (`surplus_*`)."""
    return Surplus(
        skill_share=settings.surplus_skill_share,
        skill_half_levels=settings.surplus_skill_half_levels,
        experience_share=settings.surplus_experience_share,
        experience_half_years=settings.surplus_experience_half_years,
        related_credit=settings.related_credit,
    )


async def _weights(settings: SettingsDep) -> Weights:
    return weights_of(settings)


async def _surplus(settings: SettingsDep) -> Surplus:
    return surplus_of(settings)


async def undo_window(settings: SettingsDep) -> timedelta:
    """How long a decision may be taken back."""
    return timedelta(minutes=settings.undo_window_minutes)


IndexDep = Annotated[CandidateIndex, Depends(_index)]
RankingModelsDep = Annotated[RankingModels, Depends(_ranking_models)]
LearningSettingsDep = Annotated[LearningSettings, Depends(_learning_settings)]
AllocationRunsDep = Annotated[AllocationRuns, Depends(_allocation_runs)]
WeightsDep = Annotated[Weights, Depends(_weights)]
SurplusDep = Annotated[Surplus, Depends(_surplus)]
UndoWindowDep = Annotated[timedelta, Depends(undo_window)]


async def placements_of(
    index: IndexDep, settings: SettingsDep, weights: WeightsDep, surplus: SurplusDep
) -> ListPlacements:
    """Where each order's default list shows a pair, for a first decision to record."""
    return ListPlacements(index, weights, surplus, settings.exploration_every)


PlacementsDep = Annotated[ListPlacements, Depends(placements_of)]
