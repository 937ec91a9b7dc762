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
Exit status 0 when there are no hard violations and the optimiser plans at least
as many jobs as greedy, 1 otherwise (the other targets are reported only).
"""

import argparse
import importlib.util
import os
import random
import sys

DAY = 1440
SKILLS = ["electrical", "hydraulics", "hvac", "controls"]


def load_dispatch():
    path = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "..",
        "after_sales_service",
        "models",
        "dispatch.py",
    )
    spec = importlib.util.spec_from_file_location("after_sales_dispatch", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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


def run(args):
    dispatch = load_dispatch()
    sizes = [int(s) for s in str(args.dispatch_sizes).split(",") if s.strip()]
    rows, status, notes = [], 0, []
    for n in sizes:
        techs, jobs = generate(dispatch, n)
        greedy = dispatch.plan_greedy(techs, jobs)
        opt = dispatch.plan_optimised(techs, jobs, time_limit_s=args.dispatch_time_limit)
        for label, plan in (("optimiser", opt), ("greedy", greedy)):
            st = plan.stats
            rows.append(
                (
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
                )
            )
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
        )
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
    )
    print("Dispatch: 25 technicians, 5 days")
    print(fmt_table(rows, headers))
    print("\n".join(notes))
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
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
