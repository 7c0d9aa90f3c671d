"""Benchmark `vpsa aggregate`: time and peak memory for 10, 1,000 and 10,000 synthetic members.

    python bench/bench_aggregate.py [--sizes 10,1000,10000] [--jobs N] [--ruleset REF]

Members are written once by engine.synthetic (not timed), then each size runs in a fresh process
(so peak memory is that size's own): validate every file, evaluate over the worker pool, build the
aggregate and render it as Markdown and HTML. Peak memory is resource.getrusage's maxrss: the
parent's own, and the largest worker's (RUSAGE_CHILDREN reports the largest child, not a sum).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.aggregate import build_aggregate  # noqa: E402
from engine.aggregate_render import render_html, render_markdown  # noqa: E402
from engine.cli.dev import member_yaml  # noqa: E402
from engine.parallel import default_jobs, evaluate_members  # noqa: E402
from engine.rulesets import load_ruleset  # noqa: E402
from engine.synthetic import synthetic_members  # noqa: E402


def _mib(kib: int) -> float:
    return kib / 1024


def run_one(folder: Path, count: int, jobs: int, ruleset_ref: str | None) -> dict[str, float]:
    """One measured run in this process (called in a child process by main)."""
    ruleset = load_ruleset(ruleset_ref)
    files = sorted(folder.glob("member-*.yaml"))[:count]
    started = time.perf_counter()
    members = evaluate_members(ruleset, files, jobs, "")
    evaluated = time.perf_counter()
    aggregate = build_aggregate(ruleset, members)
    size = len(render_markdown(aggregate)) + len(render_html(aggregate))
    finished = time.perf_counter()
    return {
        "members": len(members),
        "seconds": finished - started,
        "evaluate_seconds": evaluated - started,
        "report_seconds": finished - evaluated,
        "parent_peak_mib": _mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "worker_peak_mib": _mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "report_chars": size,
    }


def write_members(folder: Path, count: int, ruleset_ref: str | None, seed: int = 1) -> float:
    ruleset = load_ruleset(ruleset_ref)
    started = time.perf_counter()
    existing = len(list(folder.glob("member-*.yaml")))
    for number, data in enumerate(synthetic_members(ruleset, count - existing, seed, start=existing + 1), existing + 1):
        (folder / f"member-{number:05d}.yaml").write_text(member_yaml(data), encoding="utf-8")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--ruleset", default=None)
    parser.add_argument("--folder", type=Path, help="Reuse (and extend) synthetic members in this folder.")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run is not None:
        print(json.dumps(run_one(args.folder, args.run, args.jobs, args.ruleset)))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="vpsa-bench-") as temp:
        folder = args.folder or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        generated = write_members(folder, sizes[-1], args.ruleset)
        ruleset = load_ruleset(args.ruleset)
        print(
            f"ruleset {ruleset.id} {ruleset.version}: {len(ruleset.rules)} rules, {len(ruleset.questions)} questions; "
            f"{args.jobs} worker(s); members written in {generated:.1f}s (not timed below)"
        )
        print(
            f"{'members':>8} {'total s':>8} {'eval s':>8} {'report s':>9} {'members/s':>10} "
            f"{'parent MiB':>11} {'worker MiB':>11}"
        )
        for size in sizes:
            command = [sys.executable, __file__, "--run", str(size), "--folder", str(folder), "--jobs", str(args.jobs)]
            if args.ruleset:
                command += ["--ruleset", args.ruleset]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            print(
                f"{row['members']:>8} {row['seconds']:>8.1f} {row['evaluate_seconds']:>8.1f} "
                f"{row['report_seconds']:>9.2f} {row['members'] / row['seconds']:>10.1f} "
                f"{row['parent_peak_mib']:>11.1f} {row['worker_peak_mib']:>11.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
