"""The objects a matching API process keeps between requests, in one typed place."""

from __future__ import annotations

from dataclasses import dataclass, field

from kakehashi.matching.domain.learning import LearningSettings
from kakehashi.matching.service_layer.allocation import AllocationRuns
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.matching.service_layer.learning import RankingModels


@dataclass(frozen=True)
class MatchingServices:
    """The candidate index, the learned ranking's model and when a fit is allowed, and the
    console's allocation proposals being computed."""

    candidate_index: CandidateIndex = field(default_factory=CandidateIndex)
    ranking_models: RankingModels = field(default_factory=RankingModels)
    learning_settings: LearningSettings = field(default_factory=LearningSettings)
    allocation_runs: AllocationRuns = field(default_factory=AllocationRuns)
