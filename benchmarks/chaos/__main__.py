"""`python -m benchmarks.chaos [--ci] [--only NAME ...]`: the chaos campaign;
exit 1 if any refund's status is not what happened to its money.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.chaos.catalog import EXPERIMENTS
from benchmarks.chaos.experiments import Run
from benchmarks.chaos.measure import Audit, settle
from benchmarks.chaos.options import CI, FULL, ChaosOptions
from benchmarks.chaos.report import ExperimentResult, experiment_block, table
from benchmarks.chaos.stack import ChaosStack, stack_config

# Stop starting experiments when less than this is left of the time limit (one needs start-up, bursts and a settle).
MIN_LEFT_FOR_EXPERIMENT_S = 30.0


def parse_args(argv: list[str] | None = None) -> tuple[ChaosOptions, Path | None]:
    """Options: a preset (full or --ci) with any count or duration overridden."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__)
    parser.add_argument("--ci", action="store_true", help="The small CI version (a few dozen refunds).")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(EXPERIMENTS),
        metavar="NAME",
        help=f"Run only these experiments: {', '.join(EXPERIMENTS)}.",
    )
    parser.add_argument("--list", action="store_true", help="List the experiments and exit.")
    parser.add_argument(
        "--database-url", help="Read model database (e.g. postgresql://...); default SQLite in the temporary VAR_DIR."
    )
    parser.add_argument("--json", type=Path, help="Also write the results to this JSON file.")
    parser.add_argument(
        "--keep-var",
        action="store_true",
        help="Keep the temporary VAR_DIR (logs, databases) even when everything passed.",
    )
    for name in (
        "burst_size",
        "worker_kills",
        "api_kills",
        "api_request_kills",
        "stripe_fault_repeats",
        "stripe_fault_burst",
        "webhook_refunds",
        "concurrency",
        "seed",
    ):
        parser.add_argument("--" + name.replace("_", "-"), type=int)
    for name in (
        "rate_per_s",
        "keyed_share",
        "settle_timeout_s",
        "give_up_after_s",
        "time_limit_s",
        "refund_failure_delay_s",
    ):
        parser.add_argument("--" + name.replace("_", "-").removesuffix("-s"), dest=name, type=float)
    parser.add_argument(
        "--temporal-downs", type=float, nargs="+", help="Seconds Temporal stays stopped, one burst each."
    )
    parser.add_argument(
        "--latency", type=float, nargs=2, metavar=("MIN", "MAX"), help="Range of injected Stripe latency, seconds."
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, experiment in EXPERIMENTS.items():
            print(f"{name:28} {(experiment.__doc__ or '').splitlines()[0]}")
        raise SystemExit(0)
    options = CI if args.ci else FULL
    changes = {
        name: value
        for name, value in vars(args).items()
        if value is not None and name in ChaosOptions.__dataclass_fields__
    }
    if args.only:
        changes["experiments"] = tuple(args.only)
    if args.temporal_downs:
        changes["temporal_downs_s"] = tuple(args.temporal_downs)
    if args.latency:
        changes["latency_s"] = tuple(args.latency)
    return replace(options, **changes), args.json


def emulator_flags(options: ChaosOptions) -> list[str]:
    """The emulator's settings as its command-line flags."""
    settings = options.emulator_settings | {"refund_failure_delay": options.refund_failure_delay_s}
    return [item for name, value in settings.items() for item in ("--" + name.replace("_", "-"), str(value))]


async def run_campaign(options: ChaosOptions, var_dir: Path) -> list[ExperimentResult]:
    """Start the stack, run each experiment and measure it, stop the stack whatever happens."""
    started = time.monotonic()
    stack = ChaosStack(stack_config(var_dir, options.database_url), emulator_flags(options), extra_env={})
    results: list[ExperimentResult] = []
    run = None
    try:
        print(f"chaos: starting the parts under {var_dir} (logs in {var_dir / 'logs'})", flush=True)
        await stack.start_all()
        print(
            f"chaos: stack up in {time.monotonic() - started:.0f}s: "
            + ", ".join(f"{n} pid {c.pid}" for n, c in stack.children.items()),
            flush=True,
        )
        run = Run(stack, options)
        for name in options.experiments or tuple(EXPERIMENTS):
            left = options.time_limit_s - (time.monotonic() - started)
            if left < MIN_LEFT_FOR_EXPERIMENT_S:
                results.append(
                    ExperimentResult(
                        name, Audit(), error=f"skipped: the {options.time_limit_s:.0f}s time limit is reached"
                    )
                )
                continue
            result = await _experiment(run, name, left)
            results.append(result)
            print(experiment_block(result), flush=True)
    finally:
        if run is not None:
            await run.close()
        await stack.stop_all()
    return results


async def _experiment(run: Run, name: str, left_s: float) -> ExperimentResult:
    """One experiment, then a bounded settle and the audit; an experiment that breaks is reported, not hidden."""
    print(f"chaos: {name} ...", flush=True)
    try:
        async with asyncio.timeout(left_s):
            outcome = await EXPERIMENTS[name](run)
            await asyncio.to_thread(run.control.clear_faults)
            audit, waited = await settle(run.auditor, outcome.requests, run.control, run.options.settle_timeout_s)
    except TimeoutError:
        return ExperimentResult(name, Audit(), error="the time limit was reached during this experiment")
    except Exception as error:
        logging.getLogger("chaos").exception(f"experiment {name} broke")
        return ExperimentResult(name, Audit(), error=f"{type(error).__name__}: {error}")
    return ExperimentResult(name, audit, outcome.recoveries, waited, outcome.notes)


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; print the summary; 0 only when every refund ended where its money did."""
    options, json_path = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    var_dir = Path(tempfile.mkdtemp(prefix="chaos-"))
    started = time.monotonic()
    results: list[ExperimentResult] = []
    try:
        results = asyncio.run(run_campaign(options, var_dir))
    finally:
        passed = bool(results) and all(r.passed for r in results)
        if results:
            print(f"\nchaos summary ({options.label})")
            print(table(results, total=True))
        if json_path is not None:
            json_path.write_text(
                json.dumps(
                    {"label": options.label, "passed": passed, "experiments": [r.as_json() for r in results]}, indent=2
                )
            )
        print(f"\nchaos: {'PASSED' if passed else 'FAILED'} in {time.monotonic() - started:.0f}s", flush=True)
        if passed and not options.keep_var:
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"chaos: logs and data kept in {var_dir}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
