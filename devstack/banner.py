"""The text shown once the stack is up: where everything is, the dev tokens, and a first request to try."""

from __future__ import annotations

from devstack.config import StackConfig
from devstack.parts import Part, Step
from domain.roles import Role
from services.staff import dev_email, dev_password
from store.staff import DEV_TOKENS

RULE = "=" * 78


def render_banner(config: StackConfig, steps: list[Part | Step]) -> str:
    """The banner as text, built from each part's links so new parts appear by themselves."""
    links = [link for step in steps if isinstance(step, Part) for link in step.links(config)]
    links += [("Database", config.database_display), ("Data and logs", f"{config.var_dir} (logs in {config.logs_dir})")]
    width = max(len(label) for label, _ in links) + 2
    lines = [RULE, "  Refund service is up. Ctrl-C stops everything; data stays for the next `make run`.", ""]
    lines += [f"  {label:<{width}}{value}" for label, value in links]
    lines += ["", "  Dev tokens (send `Authorization: Bearer <token>`):"]
    lines += [f"    {token:<16}{', '.join(role.value for role in roles)}" for token, roles in DEV_TOKENS.items()]
    lines += ["", f"  Console ({config.api_url}/console), sign in with email and password:"]
    lines += [
        f"    {dev_email(name):<26}{dev_password(name)}" for name, roles in DEV_TOKENS.items() if Role.SHOP not in roles
    ]
    lines += ["", "  Try it:", *_curl_example(config), RULE]
    return "\n".join(lines) + "\n"


def _curl_example(config: StackConfig) -> list[str]:
    """Make demo payments, orders and refunds, then list the refunds as support."""
    return [
        f"    .venv/bin/refunds demo --api-url {config.api_url} --stripe-url {config.emulator_url}",
        f"    curl -s {config.api_url}/refunds -H 'Authorization: Bearer dev-support-1'",
    ]
