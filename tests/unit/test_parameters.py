"""PolicyParameters: defaults from the issue, range checks, and a lossless trip through JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.policy import POLICY_VERSION, PolicyParameters


def test_defaults_are_the_issues():
    params = PolicyParameters()
    assert params.policy_version == POLICY_VERSION == "2025-12-05"
    assert params.notice_window == params.duplicate_window == timedelta(hours=72)
    assert (params.auto_approve_max_minor, params.second_approval_above_minor) == (5000, 20000)
    assert params.approval_reminder_after == timedelta(hours=24)
    assert params.approval_expires_after == timedelta(days=7)
    assert params.troubleshooting_escalate_after == timedelta(hours=48)
    assert (params.settlement_min_business_days, params.settlement_max_business_days) == (3, 10)
    assert (params.holiday_country, params.holiday_subdivision) == ("FR", None)


@pytest.mark.parametrize(
    "fields",
    [
        {"notice_window": timedelta(0)},
        {"notice_window": timedelta(seconds=-1)},
        {"duplicate_window": timedelta(days=91)},
        {"approval_reminder_after": timedelta(0)},
        {"troubleshooting_escalate_after": timedelta(seconds=-5)},
        {"auto_approve_max_minor": -1},
        {"second_approval_above_minor": -1},
        {"auto_approve_max_minor": 20001},  # above the second-approval threshold
        {"approval_reminder_after": timedelta(days=7)},  # not before expiry
        {"settlement_min_business_days": 11},  # above the maximum
        {"settlement_max_business_days": 61},
        {"settlement_min_business_days": -1},
        {"holiday_country": "FRA"},
        {"holiday_country": "1R"},
        {"policy_version": "December 5, 2025"},
        {"unknown_knob": 1},
    ],
)
def test_out_of_range_parameters_are_refused(fields):
    with pytest.raises(ValidationError):
        PolicyParameters(**fields)


def test_boundary_values_are_accepted():
    params = PolicyParameters(
        notice_window=timedelta(days=90),
        auto_approve_max_minor=20000,
        second_approval_above_minor=20000,
        approval_reminder_after=timedelta(days=7) - timedelta(seconds=1),
        settlement_min_business_days=10,
    )
    assert params.auto_approve_max_minor == params.second_approval_above_minor == 20000


def test_country_is_normalised_and_blank_subdivision_is_none():
    params = PolicyParameters(holiday_country=" de ", holiday_subdivision="  ")
    assert (params.holiday_country, params.holiday_subdivision) == ("DE", None)


def test_parameters_are_frozen():
    with pytest.raises(ValidationError):
        PolicyParameters().notice_window = timedelta(hours=1)


def test_json_round_trip_keeps_every_value():
    params = PolicyParameters(
        notice_window=timedelta(hours=36, seconds=1),
        holiday_subdivision="57",
        policy_version="2026-01-01",
    )
    assert PolicyParameters.model_validate_json(params.model_dump_json()) == params


@pytest.mark.parametrize(("amount", "required"), [(1, 1), (20000, 1), (20001, 2)])
def test_approvals_required_boundary(amount, required):
    assert PolicyParameters().approvals_required(amount) == required
