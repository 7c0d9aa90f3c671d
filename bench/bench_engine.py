"""Benchmark: assessments per second through durable-rules, against a plain-Python floor.

    python bench/bench_engine.py            # N = 100, 1,000, 10,000
    python bench/bench_engine.py --quick    # N = 100 only

The bundled ruleset is replicated (suffixed ids) until it has at least --min-rules rules. N distinct
assessments are generated once (not timed). Each is then evaluated through `Evaluator.statuses`
(every status decided by durable-rules, no explanations) and through `bench.floor` (the same compiled
conditions interpreted in plain Python, the speed floor), on one core and on two (one evaluator per
worker process). Every durable-rules status is compared with the floor's.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import FloorEvaluator  # noqa: E402
from bench.workload import copies_needed, random_assessments, scale_ruleset  # noqa: E402
from engine.compiler import compile_ruleset  # noqa: E402
from engine.evaluate import Evaluator  # noqa: E402
from engine.facts import engine_groups  # noqa: E402
from engine.rulesets import Ruleset, load_ruleset  # noqa: E402

TARGET_TWO_CORES = 1000.0
TARGET_RATIO = 10.0

# set before the worker pool forks: the ruleset is shared without pickling; workers make their own inputs
_ASSESSMENTS: list[Any] = []
_RULESET: Ruleset | None = None
_WORKER: dict[str, Any] = {}


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _rss_mb() -> float:
    """Resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _runner(kind: str, ruleset: Ruleset, compiled: Any = None) -> Any:
    evaluator = Evaluator(ruleset, compiled)
    return evaluator.statuses if kind == "durable" else FloorEvaluator(evaluator.encoder).statuses


def one_core(run: Any, assessments: list[Any]) -> float:
    start = time.perf_counter()
    for assessment in assessments:
        run(assessment)  # results are not kept: holding them would make the timing measure the GC
    return time.perf_counter() - start


def compare(durable: Any, floor: Any, assessments: list[Any]) -> tuple[int, int]:
    """(statuses decided by durable-rules, assessments where durable-rules and the floor disagree)."""
    statuses = mismatches = 0
    for assessment in assessments:
        decided = durable(assessment)
        statuses += len(decided[0]) + sum(len(outcomes) for outcomes in decided[1].values())
        mismatches += decided != floor(assessment)
    return statuses, mismatches


def _init_worker(kind: str, barrier: Any, seed: int) -> None:
    assert _RULESET is not None
    _WORKER["run"] = _runner(kind, _RULESET)
    _WORKER["barrier"] = barrier
    _WORKER["seed"] = seed


def _work(span: tuple[int, int]) -> tuple[float, float, int]:
    """Each worker makes its own share of the assessments (the same ones the parent timed on one core):
    inheriting the parent's copy through fork made every worker fault in and copy those pages while timed."""
    run, barrier = _WORKER["run"], _WORKER["barrier"]
    assert _RULESET is not None
    chunk = random_assessments(_RULESET, span[1] - span[0], seed=_WORKER["seed"], start=span[0])
    gc.freeze()  # the generated inputs are long-lived: keep the collector from re-scanning them while timed
    run(chunk[0])  # warm up outside the timed part
    barrier.wait()
    start = time.monotonic()  # system-wide clock, comparable between processes
    for assessment in chunk:
        run(assessment)
    return start, time.monotonic(), len(chunk)


def two_cores(kind: str, count: int, seed: int) -> float:
    context = mp.get_context("fork")
    barrier = context.Barrier(2)
    half = count // 2
    with context.Pool(2, initializer=_init_worker, initargs=(kind, barrier, seed)) as pool:
        results = pool.map(_work, [(0, half), (half, count)], chunksize=1)
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    return sum(r[2] for r in results) / (end - start)


def main() -> int:
    global _RULESET
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 100 only")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated N (default 100,1000,10000)")
    parser.add_argument("--min-rules", type=int, default=150, help="replicate the ruleset to at least this many rules")
    parser.add_argument("--ruleset", default=str(ROOT / "rulesets" / "vpshr"), help="ruleset folder to scale up")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [100] if args.quick else [int(n) for n in args.sizes.split(",")]

    source = Path(args.ruleset)
    original = load_ruleset(source)
    copies = copies_needed(len(original.rules), args.min_rules)
    with tempfile.TemporaryDirectory() as folder:
        ruleset = load_ruleset(scale_ruleset(source, Path(folder) / "scaled", copies))
    _RULESET = ruleset
    started = time.perf_counter()
    compiled = compile_ruleset(ruleset)
    compile_ms = 1000 * (time.perf_counter() - started)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    print(
        f"ruleset {original.id} {original.version}: {len(original.rules)} rules x{copies} = "
        f"{len(ruleset.rules)} rules, "
        f"{len(ruleset.questions)} questions, {sum(len(u.rules) for u in compiled.units)} compiled engine rules "
        f"in {len(compiled.units)} units packed into {len(engine_groups(compiled))} engine rulesets "
        f"(compiled in {compile_ms:.0f} ms)"
    )
    started = time.perf_counter()
    _ASSESSMENTS[:] = random_assessments(ruleset, max(sizes), seed=args.seed)
    gc.freeze()  # long-lived inputs, as in the workers
    print(f"generated {len(_ASSESSMENTS)} distinct assessments in {time.perf_counter() - started:.1f} s (not timed)")

    before = _rss_mb()
    durable = _runner("durable", ruleset, compiled)
    print(f"one evaluator (engine rulesets and encoder) takes {_rss_mb() - before:.0f} MB")
    floor = _runner("floor", ruleset, compiled)
    header = f"{'N':>6} | {'durable 1 core':>15} | {'floor 1 core':>13} | {'ratio':>6} | {'durable 2 cores':>16} | "
    header += f"{'floor 2 cores':>14} | {'statuses':>9} | {'peak MB':>7}"
    print(header)
    print("-" * len(header))
    ok = True
    last: dict[str, float] = {}
    for count in sizes:
        chunk = _ASSESSMENTS[:count]
        durable(chunk[0]), floor(chunk[0])  # warm up
        d_time = one_core(durable, chunk)
        f_time = one_core(floor, chunk)
        statuses, mismatches = compare(durable, floor, chunk)  # not timed
        if mismatches:
            ok = False
            print(f"!! {mismatches} of {count} assessments: durable-rules and the floor disagree")
        d_rate, f_rate = count / d_time, count / f_time
        d_two, f_two = two_cores("durable", count, args.seed), two_cores("floor", count, args.seed)
        last = {"d1": d_rate, "f1": f_rate, "d2": d_two}
        print(
            f"{count:>6} | {d_rate:>13,.0f}/s | {f_rate:>11,.0f}/s | {f_rate / d_rate:>5.1f}x | {d_two:>14,.0f}/s | "
            f"{f_two:>12,.0f}/s | {statuses:>9,} | {_peak_mb():>7.0f}"
        )
    print("(peak MB: the largest process, including the N generated assessments it holds)")
    print(f"every status decided by durable-rules and equal to the floor's: {'yes' if ok else 'NO'}")
    two_ok = last["d2"] >= TARGET_TWO_CORES
    ratio_ok = last["f1"] / last["d1"] <= TARGET_RATIO
    print(
        f"target >= {TARGET_TWO_CORES:,.0f} assessments/s on 2 cores: "
        f"{'met' if two_ok else 'MISSED'} ({last['d2']:,.0f}/s)"
    )
    print(
        f"target within {TARGET_RATIO:.0f}x of the floor on 1 core: {'met' if ratio_ok else 'MISSED'} "
        f"({last['f1'] / last['d1']:.1f}x)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
