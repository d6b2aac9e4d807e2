"""`python -m devstack` for real: starts, serves, stops without orphans, restarts with every piece of data kept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import stripe
from platform_support import SHOP, SUPPORT, bearer, order_body
from temporalio.client import Client, WorkflowExecutionStatus

from core.settings import REPO_ROOT
from core.temporal import DATA_CONVERTER
from stripe_emulator.testing import pay

START_TIMEOUT_S = 120
# Variables of the developer's shell that would point the stack elsewhere.
STACK_VARIABLES = ("DATABASE_URL", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "TEMPORAL_NAMESPACE", "PUBLIC_API_URL")


def free_ports(count: int) -> list[int]:
    """Distinct ports nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# ---- Processes, from /proc (not from what the supervisor says about itself) ------------------------


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """Every process under `root`: pid -> (start time, command line)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            children.setdefault(stat[0], []).append(int(entry.name))
    found: dict[int, tuple[int, str]] = {}
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        stat = _stat(pid)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if stat:
            found[pid] = (stat[2], cmdline)
            pending += children.get(pid, [])
    return found


def still_running(processes: dict[int, tuple[int, str]]) -> list[str]:
    """The processes (same pid and start time) that exist and are not zombies."""
    alive = []
    for pid, (started, cmdline) in processes.items():
        stat = _stat(pid)
        if stat and stat[2] == started and stat[1] != "Z":
            alive.append(f"{pid}: {cmdline}")
    return alive


def wait_gone(processes: dict[int, tuple[int, str]], timeout_s: float) -> list[str]:
    """Wait until none of `processes` runs; return those still running at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (alive := still_running(processes)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


# ---- The stack as a subprocess ---------------------------------------------------------------------


class Stack:
    """One `python -m devstack` run with its output in a file."""

    def __init__(self, env: dict[str, str], output: Path) -> None:
        self.output = output
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal's foreground job: signals reach only the supervisor
        )

    def log(self) -> str:
        """The end of everything the stack printed."""
        return self.output.read_text(errors="replace")[-6000:]

    def wait_healthy(self, api_url: str) -> dict:
        """Wait for /healthz to say ok; fail with the stack's output otherwise."""
        deadline = time.monotonic() + START_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"devstack exited with {self.process.returncode} while starting:\n{self.log()}")
            try:
                response = httpx.get(f"{api_url}/healthz", timeout=3)
                if response.status_code == 200 and "Refund service is up" in self.output.read_text(errors="replace"):
                    return response.json()
                last = response.text
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(0.5)
        pytest.fail(f"devstack not healthy after {START_TIMEOUT_S}s (last: {last}):\n{self.log()}")

    def children(self) -> dict[int, tuple[int, str]]:
        """Its process tree."""
        return descendants(self.process.pid)

    def stop(self, sig: signal.Signals, timeout_s: float = 90) -> int:
        """Signal the supervisor and wait for it to exit."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pytest.fail(f"devstack did not exit within {timeout_s}s of {sig.name}:\n{self.log()}")


def wait_for_webhooks(emulator_url: str, event_type: str, timeout_s: float = 30) -> list[dict]:
    """The emulator's delivery attempts of `event_type` to the API, once there is at least one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        attempts = httpx.get(f"{emulator_url}/_emulator/webhook_deliveries").json()["attempts"]
        if matching := [attempt for attempt in attempts if attempt["type"] == event_type]:
            return matching
        time.sleep(0.2)
    pytest.fail(f"no {event_type} webhook was delivered within {timeout_s}s")


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    """Non-default free ports and a temporary VAR_DIR, so a developer's `make run` is left alone."""
    temporal, ui, emulator, api, smtp, metrics = free_ports(6)
    env = {key: value for key, value in os.environ.items() if key not in STACK_VARIABLES}
    return env | {
        "VAR_DIR": str(tmp_path / "var"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}",
        "TEMPORAL_UI_URL": f"http://127.0.0.1:{ui}",
        "STRIPE_API_BASE": f"http://127.0.0.1:{emulator}",
        "API_PORT": str(api),
        "SMTP_URL": f"smtp://127.0.0.1:{smtp}",
        "WORKER_METRICS_ADDRESS": f"127.0.0.1:{metrics}",
        "LOG_FORMAT": "text",
        "OUTBOX_POLL_SECONDS": "0.5",
    }


def create_staff_token(env: dict[str, str], name: str) -> str:
    """`refunds staff add` against the stack's database."""
    database_url = f"sqlite:///{env['VAR_DIR']}/refunds.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "staff",
            "add",
            "--name",
            name,
            "--role",
            "support",
            "--email",
            f"{name}@example.com",
        ],
        env=env | {"DATABASE_URL": database_url},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def test_devstack_runs_stops_cleanly_and_keeps_everything(stack_env: dict[str, str], tmp_path: Path) -> None:
    api_url = f"http://127.0.0.1:{stack_env['API_PORT']}"
    stripe_client = stripe.StripeClient("sk_test_devstack", base_addresses={"api": stack_env["STRIPE_API_BASE"]})
    order_id, workflow_id = f"ord-{uuid.uuid4().hex[:8]}", f"devstack-probe-{uuid.uuid4().hex[:8]}"
    output = tmp_path / "devstack.out"
    stacks: list[Stack] = []
    try:
        # ---- First run: everything answers, data goes into each store.
        first = Stack(stack_env, output)
        stacks.append(first)
        health = first.wait_healthy(api_url)
        assert health["status"] == "ok", health
        assert all(health[part]["ok"] for part in ("temporal", "database", "stripe")), health

        tree = first.children()
        commands = " ".join(command for _, command in tree.values())
        for part in ("temporal server start-dev", "-m stripe_emulator", "-m worker", "-m api"):
            assert part in commands, f"{part!r} not among the children: {tree}"

        created = httpx.post(
            f"{api_url}/orders", headers=SHOP, json=order_body(stripe_client, order_id, "cus-devstack")
        )
        assert created.status_code == 201, created.text
        assert httpx.get(f"{api_url}/orders/{order_id}", headers=SUPPORT).json()["status"] == "paid"
        token = create_staff_token(stack_env, f"agent-{order_id}")
        ui = httpx.get(stack_env["TEMPORAL_UI_URL"], timeout=10)
        assert ui.status_code == 200 and "<html" in ui.text.lower()
        docs = httpx.get(f"{api_url}/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()

        temporal = await Client.connect(stack_env["TEMPORAL_ADDRESS"], data_converter=DATA_CONVERTER)
        # A workflow no worker serves stays Running: it must still be there after the restart.
        await temporal.start_workflow("DevstackProbe", id=workflow_id, task_queue=f"probe-{workflow_id}")
        payment = pay(stripe_client, 1200, "eur")
        assert payment.status == "succeeded"
        # The emulator signs its events with the secret the supervisor handed to the API, which accepts them.
        deliveries = wait_for_webhooks(stack_env["STRIPE_API_BASE"], "payment_intent.succeeded")
        assert all(attempt["ok"] for attempt in deliveries), deliveries

        # A refund through the whole stack: policy, worker, Stripe, and the customer's emails in the SMTP sink.
        paid = order_body(
            stripe_client, f"{order_id}-r", "cus-devstack-r", payment_intent_id=payment.id, amount_minor=1200
        )
        assert httpx.post(f"{api_url}/orders", headers=SHOP, json=paid).status_code == 201
        refund = httpx.post(
            f"{api_url}/refunds", headers=SUPPORT, json={"order_id": paid["order_id"], "reason": "not_activated"}
        )
        assert refund.status_code == 201, refund.text
        mail = Path(stack_env["VAR_DIR"]) / "mail" / "new"
        deadline = time.monotonic() + 60
        while (
            httpx.get(f"{api_url}/refunds/{refund.json()['refund_id']}", headers=SUPPORT).json()["status"] != "settling"
            or len(list(mail.glob("*"))) < 3
        ):
            assert time.monotonic() < deadline, (list(mail.glob("*")), first.log())
            time.sleep(0.3)
        emails = [path.read_text(errors="replace") for path in mail.glob("*")]
        assert all("To: ada@example.com" in email for email in emails), emails[0]
        assert any(refund.json()["refund_id"] in email for email in emails)

        # ---- Ctrl-C: every child goes, the supervisor exits 0.
        assert first.stop(signal.SIGINT) == 0, first.log()
        leftovers = wait_gone(tree, timeout_s=10)
        assert leftovers == [], f"processes left after SIGINT: {leftovers}\n{first.log()}"
        assert "all parts stopped" in first.log()

        # ---- Second run: the order, the staff token, the workflow and the payment are all still there.
        second = Stack(stack_env, output)
        stacks.append(second)
        second.wait_healthy(api_url)
        read = httpx.get(f"{api_url}/orders/{order_id}", headers=bearer(token))
        assert read.status_code == 200, read.text
        assert read.json()["order_id"] == order_id
        temporal = await Client.connect(stack_env["TEMPORAL_ADDRESS"], data_converter=DATA_CONVERTER)
        description = await temporal.get_workflow_handle(workflow_id).describe()
        assert description.status == WorkflowExecutionStatus.RUNNING
        assert stripe_client.v1.payment_intents.retrieve(payment.id).status == "succeeded"

        # ---- A supervisor killed outright still takes its children with it (PR_SET_PDEATHSIG).
        tree = second.children()
        assert len(tree) >= 4, tree
        second.stop(signal.SIGKILL)
        leftovers = wait_gone(tree, timeout_s=45)
        assert leftovers == [], f"orphans after the supervisor was killed: {leftovers}"
    finally:
        for stack in stacks:  # a failed assertion must not leave a stack running
            if stack.process.poll() is None:
                stack.process.send_signal(signal.SIGINT)
                try:
                    stack.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    stack.process.kill()
