"""Benchmark of the dispatcher's planning core (no database needed).

Generated instances (seeded RNG) of 100, 300 and 1,000 jobs over 25 technicians
and 5 days: working 8:00-12:00 and 12:30-17:00, some days or half days of leave,
four skills with levels 1-3, time windows for ~30 % of the jobs, SLA deadlines,
coordinates in a ~60 km region (a few missing, with zones). For the optimiser
(``plan_optimised``) and the greedy baseline (``plan_greedy``) it prints: planned,
hard violations (``check_plan``), SLA violations, total lateness, travel minutes and
run time. "SLA viol" counts planned jobs that end after their deadline; "SLA+unpl"
adds the unplanned jobs that have a deadline.

Run directly:       .venv/bin/python tools/bench_dispatch.py [--sizes 100,300,1000]
or through bench:   .venv/bin/python tools/bench.py --only dispatch
Targets (issue 8): zero hard violations; optimiser plans >= greedy; SLA violations
and travel each >= 20 % lower than greedy at 300 within 30 s; 1,000 within 120 s.
Issue 28: PyVRP as a yardstick row (tools/bench_dispatch_pyvrp.py; installed with
pip when missing, ``--no-pyvrp`` leaves it out), its modelling choices and their
bias printed, and OK/MISS per target against it. ``--dispatch-rounds N`` bounds
the optimiser's local search by rounds (with ``--dispatch-seed``) so that a run
repeats on a busy machine.
Exit status 0 when there are no hard violations and the optimiser plans at least
as many jobs as greedy, 1 otherwise (the other targets are reported only).
"""

import argparse
import importlib
import os
import random
import sys
import time
import types

DAY = 1440
SKILLS = ["electrical", "hydraulics", "hvac", "controls"]


def load_dispatch():
    """models/dispatch.py (and the modules beside it that it imports) as a package of
    their own, without Odoo: models/__init__.py is not run."""
    name = "after_sales_dispatch_core"
    if name + ".dispatch" in sys.modules:
        return sys.modules[name + ".dispatch"]
    package = types.ModuleType(name)
    package.__path__ = [
        os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "after_sales_service", "models"
        )
    ]
    sys.modules[name] = package
    return importlib.import_module(name + ".dispatch")


def generate(dispatch, n_jobs, n_techs=25, n_days=5, seed=42):
    rng = random.Random(seed * 100_003 + n_jobs)
    lat0, lon0 = 52.0, 5.0  # ~60 km square: 0.54 deg lat, 0.87 deg lon

    def point():
        return (lat0 + rng.random() * 0.54, lon0 + rng.random() * 0.87)

    def zone_of(p):
        return f"Z{int((p[0] - lat0) / 0.18)}{int((p[1] - lon0) / 0.29)}"

    techs = []
    for t in range(n_techs):
        skills = {s: rng.randint(1, 3) for s in rng.sample(SKILLS, rng.randint(1, 3))}
        intervals = []
        for d in range(n_days):
            leave = rng.random()
            if leave < 0.06:
                continue  # a day of leave
            if leave > 0.94:  # half a day
                intervals.append((d * DAY + 8 * 60, d * DAY + 12 * 60))
                continue
            intervals.append((d * DAY + 8 * 60, d * DAY + 12 * 60))
            intervals.append((d * DAY + 12 * 60 + 30, d * DAY + 17 * 60))
        home = point()
        techs.append(dispatch.Technician(f"T{t:02d}", skills, intervals, home, zone_of(home)))
    jobs = []
    for j in range(n_jobs):
        skill = rng.choice(SKILLS)
        duration = rng.choice([30, 45, 60, 60, 90, 120])
        loc = point()
        window = None
        if rng.random() < 0.3:
            d = rng.randrange(n_days)
            start = d * DAY + rng.choice([8, 10, 13]) * 60
            window = (start, start + rng.choice([120, 180, 240]))
        # a backlog: 40 % of the jobs are due from the first morning
        released = (0 if rng.random() < 0.4 else rng.randrange(n_days)) * DAY + 8 * 60
        deadline = released + rng.choice([4 * 60, 8 * 60, DAY, DAY, 2 * DAY])
        if window and deadline < window[0] + duration:
            deadline = window[1] + duration + 60
        jobs.append(
            dispatch.Job(
                f"J{j:04d}",
                duration,
                {skill: rng.choice([1, 1, 2, 3])},
                window,
                deadline,
                rng.randint(0, 3),
                None if rng.random() < 0.03 else loc,
                zone_of(loc),
            )
        )
    return techs, jobs


def fmt_table(rows, headers):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join([line.format(*headers)] + [line.format(*map(str, r)) for r in rows])


def add_arguments(parser):
    parser.add_argument(
        "--dispatch-sizes",
        default="100,300,1000",
        help="comma-separated numbers of jobs for the dispatch bench (100,300,1000)",
    )
    parser.add_argument(
        "--dispatch-time-limit",
        type=float,
        default=30.0,
        help="time limit of the optimiser in seconds (30)",
    )
    parser.add_argument(
        "--dispatch-seed",
        type=int,
        default=0,
        help="seed of the optimiser's local search (0)",
    )
    parser.add_argument(
        "--dispatch-rounds",
        type=int,
        default=None,
        help="at most this many ruin-and-recreate rounds of the optimiser's local search "
        "(default: until the time limit), so a run repeats on a busy machine",
    )
    parser.add_argument(
        "--pyvrp-iterations",
        default="auto",
        help="iterations of the PyVRP yardstick per size: one number, or 'auto' "
        f"({', '.join(f'{k}: {v}' for k, v in PYVRP_ITERATIONS.items())})",
    )
    parser.add_argument(
        "--no-pyvrp",
        action="store_true",
        help="leave the PyVRP yardstick out (it is installed with pip when missing)",
    )


# PyVRP's fixed iteration counts: about 25 s of CPU each at 300 and 1,000 jobs on
# the bench machine (2026-12-08)
PYVRP_ITERATIONS = {100: 5_000, 300: 10_000, 1000: 12_000}
# issue 28: the optimiser's SLA deadlines missed at 1,000 jobs before the local search
SLA_MISSED_1000_BEFORE = 454
# issue 28: (size, label, test(ours, pyvrp)) targets against the PyVRP yardstick
TARGETS = [
    (300, "planned >= PyVRP's", lambda o, p: o["planned"] >= p["planned"]),
    (300, "SLA missed <= PyVRP's", lambda o, p: o["sla_missed"] <= p["sla_missed"]),
    (300, "travel <= 1.10x PyVRP's", lambda o, p: o["travel"] <= 1.10 * p["travel"]),
    (1000, "planned >= 0.97x PyVRP's", lambda o, p: o["planned"] >= 0.97 * p["planned"]),
    (1000, "travel <= 1.3x PyVRP's", lambda o, p: o["travel"] <= 1.3 * p["travel"]),
    (
        1000,
        f"SLA missed <= {SLA_MISSED_1000_BEFORE} (before)",
        lambda o, p: o["sla_missed"] <= SLA_MISSED_1000_BEFORE,
    ),
]


def _pyvrp_iterations(arg, n):
    if str(arg) != "auto":
        return int(arg)
    return (
        PYVRP_ITERATIONS.get(n) or PYVRP_ITERATIONS[min(PYVRP_ITERATIONS, key=lambda k: abs(k - n))]
    )


def _row(n, label, st):
    return (
        n,
        label,
        st["solver"],
        st["planned"],
        st["hard_violations"],
        st["sla_violations"],
        st["sla_missed"],
        st["lateness"],
        st["travel"],
        f"{st['runtime']:.1f}",
        f"{st['cpu']:.1f}",
    )


def run(args):
    import resource  # noqa: PLC0415 - Unix only, the bench's platform

    dispatch = load_dispatch()
    search_mod = importlib.import_module(dispatch.__package__ + ".dispatch_search")
    sizes = [int(s) for s in str(args.dispatch_sizes).split(",") if s.strip()]
    rows, status, notes, stats = [], 0, [], {}
    instances = {n: generate(dispatch, n) for n in sizes}
    for n in sizes:
        techs, jobs = instances[n]
        cpu = time.process_time()
        greedy = dispatch.plan_greedy(techs, jobs)
        greedy.stats["cpu"] = time.process_time() - cpu
        cpu = time.process_time()
        opt = dispatch.plan_optimised(
            techs,
            jobs,
            time_limit_s=args.dispatch_time_limit,
            seed=getattr(args, "dispatch_seed", 0),
            search_rounds=getattr(args, "dispatch_rounds", None),
        )
        opt.stats["cpu"] = time.process_time() - cpu
        # the process's peak so far: the optimiser of the largest size runs last
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stats[n] = {"optimiser": opt.stats, "greedy": greedy.stats, "rss": rss_mb}
        g, o = greedy.stats, opt.stats
        if o["hard_violations"] or g["hard_violations"] or o["planned"] < g["planned"]:
            status = 1

        def pct(a, b):
            return f"{100 * (b - a) / b:.0f}%" if b else "n/a"

        notes.append(
            f"{n} jobs, optimiser vs greedy: planned {o['planned'] - g['planned']:+d}; "
            f"SLA deadlines missed {o['sla_missed']} vs {g['sla_missed']} "
            f"({pct(o['sla_missed'], g['sla_missed'])} lower); travel "
            f"{pct(o['travel'], g['travel'])} lower"
            + (f" (fallback: {o['fallback']})" if o.get("fallback") else "")
            + (f" ({o['cpsat_failure']})" if o.get("cpsat_failure") else "")
            + (
                f"; local search: {o['search_rounds']} rounds, {o['search_moves']} moves"
                if "search_rounds" in o
                else ""
            )
            + f"; peak memory of the bench process {rss_mb:.0f} MB"
        )
    pyvrp, skip = (None, "--no-pyvrp") if getattr(args, "no_pyvrp", False) else (None, None)
    if skip is None:
        import bench_dispatch_pyvrp  # noqa: PLC0415

        pyvrp, skip = bench_dispatch_pyvrp.ensure_pyvrp()
    for n in sizes:
        rows.append(_row(n, "optimiser", stats[n]["optimiser"]))
        rows.append(_row(n, "greedy", stats[n]["greedy"]))
        if pyvrp is None:
            continue
        techs, jobs = instances[n]
        iterations = _pyvrp_iterations(getattr(args, "pyvrp_iterations", "auto"), n)
        cpu = time.process_time()
        plan = bench_dispatch_pyvrp.plan_pyvrp(pyvrp, dispatch, search_mod, techs, jobs, iterations)
        plan.stats["cpu"] = time.process_time() - cpu
        stats[n]["pyvrp"] = p = plan.stats
        rows.append(_row(n, "PyVRP", p))
        notes.append(
            f"{n} jobs, PyVRP: {iterations} iterations in {p['pyvrp_solve']} s, "
            f"{p['pyvrp_solve_cpu']} s of CPU (model built in "
            f"{p['pyvrp_build']} s); re-timing dropped {p['pyvrp_dropped']} jobs, our insertion "
            f"placed {p['pyvrp_reinserted']}"
        )
        if p["hard_violations"]:
            status = 1
    headers = (
        "jobs",
        "planner",
        "solver",
        "planned",
        "hard",
        "late",
        "SLA missed",
        "lateness",
        "travel",
        "s",
        "cpu s",
    )
    print("Dispatch: 25 technicians, 5 days")
    print(fmt_table(rows, headers))
    print("\n".join(notes))
    if pyvrp is None:
        print(f"PyVRP yardstick skipped: {skip}")
        return status
    print("\n".join(bench_dispatch_pyvrp.BIAS))
    print("Targets (issue 28; reported, they do not change the exit status):")
    for n, label, test in TARGETS:
        if n in stats and "pyvrp" in stats[n]:
            ok = test(stats[n]["optimiser"], stats[n]["pyvrp"])
            print(f"  {n:>5} jobs  {label:<28} {'OK' if ok else 'MISS'}")
    limit = args.dispatch_time_limit
    for n in sizes:
        ok = stats[n]["optimiser"]["runtime"] <= limit * 1.05
        print(f"  {n:>5} jobs  {f'optimiser within {limit:g} s':<28} {'OK' if ok else 'MISS'}")
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--sizes", dest="dispatch_sizes", help="alias of --dispatch-sizes")
    parser.add_argument("--time-limit", dest="dispatch_time_limit", type=float)
    args = parser.parse_args(argv)
    if args.dispatch_sizes is None:
        args.dispatch_sizes = "100,300,1000"
    if args.dispatch_time_limit is None:
        args.dispatch_time_limit = 30.0
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
