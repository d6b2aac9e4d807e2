"""README's configuration table and .env.example list exactly the settings, with values Settings accepts."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from core.settings import REPO_ROOT, Settings
from devstack.settings_doc import ENV_EXAMPLE, README, env_example, env_name, readme_with_table
from store.staff import DEV_TOKENS

FIELDS = {env_name(name) for name in Settings.model_fields}
REGENERATE = "run `.venv/bin/python -m devstack.settings_doc --write` and commit the result"


def env_example_assignments() -> dict[str, str]:
    """NAME -> value of every (commented-out) assignment in .env.example."""
    pattern = re.compile(r"^#\s?([A-Z][A-Z0-9_]*)=(.*)$")
    return {m[1]: m[2] for line in ENV_EXAMPLE.read_text().splitlines() if (m := pattern.match(line))}


def test_env_example_lists_exactly_the_settings() -> None:
    assert set(env_example_assignments()) == FIELDS, REGENERATE
    assert ENV_EXAMPLE.read_text() == env_example(), REGENERATE


def test_env_example_values_are_the_defaults_settings_accept(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for variable in FIELDS:
        monkeypatch.delenv(variable, raising=False)
    given = {name: value for name, value in env_example_assignments().items() if value and name != "VAR_DIR"}
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    from_example = Settings()
    for name in given:
        field = name.lower()
        ours = getattr(from_example, field)
        default = Settings.model_fields[field].get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            ours, default = ours.get_secret_value(), default.get_secret_value()
        assert ours == default, name


def test_readme_documents_every_setting() -> None:
    readme = README.read_text()
    assert readme == readme_with_table(readme), REGENERATE
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.MULTILINE))
    assert documented == FIELDS


def test_readme_quick_start_is_exactly_the_two_commands() -> None:
    readme = README.read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert quick_start.strip().splitlines() == ["make run", "make test"]


def test_readme_lists_every_dev_token_with_its_role() -> None:
    readme = README.read_text()
    for token, roles in DEV_TOKENS.items():
        row = next((line for line in readme.splitlines() if f"`{token}`" in line and line.startswith("|")), "")
        assert all(role.value in row for role in roles), f"{token} is not in README's token table with its role"


def test_readme_links_point_at_files_that_exist() -> None:
    for target in re.findall(r"\]\((?!https?://)([^)#]+)\)", README.read_text()):
        assert (REPO_ROOT / target).exists(), target
