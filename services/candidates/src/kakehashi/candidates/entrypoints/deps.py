"""Who may call what: the role guards the candidates routes declare, defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.guards import require_roles

TrainingCentre = Annotated[Principal, Depends(require_roles(Role.TRAINING_CENTRE))]
CentreOrAdmin = Annotated[Principal, Depends(require_roles(Role.TRAINING_CENTRE, Role.ADMIN))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.TRAINING_CENTRE, Role.PROGRAM_MANAGER, Role.ADMIN))
]
Overseer = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]
