"""Every action can be refused in words: a new action without them would answer a refusal with a 500."""

from __future__ import annotations

import pytest

from domain.permissions import Action, permitted_roles
from domain.roles import Actor, Role
from services.authorization import ACTION_WORDS, authorize
from services.errors import Forbidden


def test_every_action_has_its_words() -> None:
    assert set(ACTION_WORDS) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_a_refusal_is_a_sentence(action: Action) -> None:
    outsiders = [role for role in Role if role not in permitted_roles(action)]
    if not outsiders:
        pytest.skip(f"every role may {ACTION_WORDS[action]}")
    with pytest.raises(Forbidden, match=f"^You cannot {ACTION_WORDS[action]}: that needs the role "):
        authorize(Actor(actor_id="stf_1", name="sam", roles=(outsiders[0],)), action)
