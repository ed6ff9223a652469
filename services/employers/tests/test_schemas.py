"""The job order bodies: one field list, the update its optional form."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kakehashi.employers.entrypoints.schemas import JobOrderCreate, JobOrderFields, JobOrderUpdate


def test_the_update_takes_every_field_of_an_order_and_requires_none() -> None:
    assert set(JobOrderUpdate.model_fields) == set(JobOrderFields.model_fields)
    assert set(JobOrderCreate.model_fields) == set(JobOrderFields.model_fields) | {"status"}
    assert not any(field.is_required() for field in JobOrderUpdate.model_fields.values())
    assert JobOrderUpdate.model_validate({}).model_fields_set == set()


@pytest.mark.parametrize(
    "change",
    [{"headcount": 0}, {"title": ""}, {"required_skills": [{"code": "welding"}] * 31}, {"x": 1}],
)
def test_the_update_keeps_each_fields_constraints(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        JobOrderUpdate.model_validate(change)
