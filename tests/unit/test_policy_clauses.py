"""Clauses are quoted verbatim from the policy file, and the version is its 'Last updated' date."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from domain.policy import CLAUSES, POLICY_VERSION, RuleCode, clause

# The published policy, kept in the repository so a clean clone checks the clauses against it.
POLICY_FILE = Path(__file__).resolve().parents[2] / "domain" / "policy" / "refund-policy.txt"
# Where the shop publishes it, beside the repository on our machines.
PUBLISHED_POLICY = Path(__file__).resolve().parents[3] / "shared" / "policy" / "refund-policy.txt"


@pytest.fixture(scope="module")
def policy_text() -> str:
    """The policy file's text."""
    return POLICY_FILE.read_text(encoding="utf-8")


def test_kept_copy_is_the_published_policy(policy_text):
    if not PUBLISHED_POLICY.exists():
        pytest.skip(f"the published policy is not beside this checkout ({PUBLISHED_POLICY})")
    assert policy_text == PUBLISHED_POLICY.read_text(encoding="utf-8"), (
        "the shop changed its policy: update domain/policy/refund-policy.txt, POLICY_VERSION and the clauses"
    )


def test_every_rule_code_has_a_clause():
    assert set(CLAUSES) == set(RuleCode)
    assert all(clause(rule) == CLAUSES[rule] for rule in RuleCode)


@pytest.mark.parametrize("rule", list(RuleCode))
def test_clause_is_a_whole_line_of_the_policy_verbatim(rule, policy_text):
    lines = {line.removeprefix("- ").strip() for line in policy_text.splitlines()}
    assert clause(rule) in lines


def test_policy_version_is_the_last_updated_date(policy_text):
    match = re.search(r"Last updated: (.+)", policy_text)
    assert match, "the policy has no 'Last updated' line"
    assert datetime.strptime(match.group(1).strip(), "%B %d, %Y").date().isoformat() == POLICY_VERSION
