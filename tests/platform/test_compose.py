"""docker-compose.yml and the Dockerfile, checked without a Docker engine: our services speak only Settings."""

from __future__ import annotations

import re

import yaml

from core.settings import REPO_ROOT, Settings
from workflows.search_attributes import cli_flags

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
OUR_SERVICES = ("migrate", "worker", "api")
SETTINGS_VARIABLES = {name.upper() for name in Settings.model_fields}


def environment(service: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return env


def test_the_production_topology_is_there() -> None:
    assert {"postgresql", "temporal", "temporal-ui", *OUR_SERVICES} <= set(SERVICES)
    assert SERVICES["postgresql"]["image"].startswith("postgres:")
    assert SERVICES["temporal"]["image"].startswith("temporalio/server:")
    assert SERVICES["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert environment(SERVICES["temporal"])["DB"] == "postgres12"


def test_our_services_set_only_variables_the_settings_class_knows() -> None:
    for name in OUR_SERVICES:
        unknown = set(environment(SERVICES[name])) - SETTINGS_VARIABLES
        assert not unknown, f"service {name} sets {sorted(unknown)}, which core.settings.Settings does not read"


def test_our_services_are_built_from_the_dockerfile() -> None:
    assert (REPO_ROOT / "Dockerfile").is_file()
    for name in OUR_SERVICES:
        build = SERVICES[name]["build"]
        assert (build["context"], build.get("dockerfile", "Dockerfile")) == (".", "Dockerfile"), name


def test_the_dockerfile_sets_only_known_variables_and_drops_root() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    runtime_env = dockerfile.split("USER", 1)[1]
    declared = set(re.findall(r"\b([A-Z][A-Z0-9_]*)=", runtime_env))
    assert declared and declared <= SETTINGS_VARIABLES, declared - SETTINGS_VARIABLES


def test_worker_and_api_are_wired_to_the_same_temporal_database_and_stripe() -> None:
    worker, api = environment(SERVICES["worker"]), environment(SERVICES["api"])
    for variable in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "DATABASE_URL",
                     "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"):  # fmt: skip
        assert worker[variable] == api[variable], variable
    assert worker["TEMPORAL_ADDRESS"].split(":")[0] == "temporal"
    assert "@postgresql:5432/" in api["DATABASE_URL"]
    assert "STRIPE_API_BASE" not in api  # real Stripe in production
    assert environment(SERVICES["migrate"])["DATABASE_URL"] == api["DATABASE_URL"]


def test_temporal_setup_registers_our_search_attributes() -> None:
    script = " ".join(SERVICES["temporal-setup"]["command"])
    wanted = {flag for flag in cli_flags() if flag != "--search-attribute"}
    assert wanted == set(re.findall(r"\b([A-Z]\w+=(?:Keyword|Int|Datetime|Text|Bool|Double|KeywordList))\b", script))
