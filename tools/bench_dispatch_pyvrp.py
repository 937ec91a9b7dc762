"""PyVRP as a yardstick for the dispatcher's bench (tools/bench_dispatch.py).

PyVRP (MIT, https://pyvrp.org; a hybrid genetic search that leads the public VRP
benchmarks) is an optional dependency of the bench only: :func:`ensure_pyvrp`
installs it with pip into the running interpreter's environment when it is missing
(unless ``--no-pyvrp``), or says why the row is skipped. It never becomes a
requirement of the add-on.

The model, and what it cannot say (the bias is printed with the results):

* one vehicle per technician and free interval, starting at the technician's home
  and back there at no cost (the dispatcher does not count the way home either);
* skills: one routing profile per set of jobs a technician may do, in which the
  edges into any other job take 100,000 minutes (never on time, so never used);
* travel: the project's own ``travel_minutes`` (the same rule as the dispatcher);
* customer windows as time windows on the start; duration as service time;
* every job is optional with a prize (10,000 for planning it, so planning comes
  before travel as in the dispatcher); a job with an SLA deadline has two
  alternatives in a mutually exclusive group: on time (start window ending at
  deadline - duration) with 1,000 x (priority + 1) more, and late;
* a fixed iteration count and seed, so runs repeat.

The routes are then re-timed by the dispatcher's rules (the afternoon starts where
the morning ended, not at home: lunch is taken where the technician is), the jobs
that no longer fit are dropped and put back, with the unplanned ones, by the
dispatcher's own gap insertion, and ``check_plan`` scores the plan as it scores ours.
"""

import importlib
import subprocess
import sys
import time

BIG = 100_000
PRIZE = 10_000
ON_TIME = 1_000

BIAS = [
    "PyVRP yardstick (fixed iterations and seed):",
    "- a vehicle per technician and free interval, starting at home: after lunch it"
    " travels from home, our rule from the last job (re-timing puts this right and"
    " may push jobs out, which our insertion puts back where it can);",
    "- lateness is seen only as on time or late (a prize), not in minutes; priorities"
    " only through the on-time prize;",
    "- skills as routing profiles: unqualified jobs are 100,000 minutes away;",
    "- prizes make planning a job worth more than any travel, as in our order;",
    "- PyVRP cannot express fixed (locked) jobs or a job's travel inside one free"
    " interval, so both are left to the re-timing and our checker.",
]


def ensure_pyvrp(install=True):
    """The pyvrp module, or ``(None, reason)``."""
    try:
        return importlib.import_module("pyvrp"), None
    except ImportError:
        pass
    if not install:
        return None, "pyvrp is not installed (--no-pyvrp)"
    print("Installing pyvrp for the dispatch bench (pip install pyvrp) ...", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "pyvrp"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        return None, "pip install pyvrp failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    importlib.invalidate_caches()
    try:
        return importlib.import_module("pyvrp"), None
    except ImportError as exc:
        return None, f"pyvrp installed but not importable: {exc}"


def build_data(pyvrp, dispatch, techs, jobs):
    """ProblemData of the instance, and the map back: client index -> job id,
    vehicle type index -> (technician id, interval start)."""
    import numpy as np  # noqa: PLC0415

    free = [j for j in jobs if not j.fixed]
    n_t, n_j = len(techs), len(free)
    size = n_t + n_j
    base = np.zeros((size, size), dtype=np.int64)  # to a home: 0 (the way back)
    for a, ja in enumerate(free):
        row = base[n_t + a]
        for b, jb in enumerate(free):
            if a != b:
                row[n_t + b] = dispatch.travel_minutes(ja, jb)[0]
    for t, tech in enumerate(techs):
        for b, jb in enumerate(free):
            base[t, n_t + b] = dispatch.travel_minutes(tech, jb)[0]
    profiles, matrices, profile_of = {}, [], []
    for tech in techs:
        mask = tuple(dispatch._qualified(tech, j) for j in free)
        if mask not in profiles:
            m = base.copy()
            for b, ok in enumerate(mask):
                if not ok:
                    m[:, n_t + b] = BIG
            np.fill_diagonal(m, 0)
            profiles[mask] = len(matrices)
            matrices.append(m)
        profile_of.append(profiles[mask])

    def xy(p):
        return (int(p[1] * 10_000), int(p[0] * 10_000)) if p else (0, 0)

    locations = [pyvrp.Location(*xy(t.home)) for t in techs]
    locations += [pyvrp.Location(*xy(j.location)) for j in free]
    depots = [pyvrp.Depot(location=t) for t in range(n_t)]
    vehicles, vmap = [], []
    for t, tech in enumerate(techs):
        for s, e in sorted(tech.intervals):
            vehicles.append(
                pyvrp.VehicleType(
                    num_available=1,
                    start_depot=t,
                    end_depot=t,
                    tw_early=s,
                    tw_late=e,
                    profile=profile_of[t],
                )
            )
            vmap.append((tech.id, s))
    horizon_end = max((e for t in techs for _s, e in t.intervals), default=0)
    clients, cmap, groups = [], [], []
    for a, job in enumerate(free):
        lo, hi = job.window if job.window else (0, horizon_end)
        alts = []
        if job.deadline is not None:
            bonus = ON_TIME * (job.priority + 1) if job.deadline <= horizon_end else ON_TIME // 10
            on_hi = min(hi, job.deadline - job.duration)
            if on_hi >= lo:
                alts.append((lo, on_hi, PRIZE + bonus))
        alts.append((lo, hi, PRIZE))
        group = len(groups) if len(alts) > 1 else None
        members = []
        for tw_lo, tw_hi, prize in alts:
            members.append(len(clients))
            clients.append(
                pyvrp.Client(
                    location=n_t + a,
                    service_duration=job.duration,
                    tw_early=tw_lo,
                    tw_late=tw_hi,
                    prize=prize,
                    required=False,
                    group=group,
                )
            )
            cmap.append(job.id)
        if group is not None:
            groups.append(pyvrp.ClientGroup(members, required=False))
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicles, matrices, matrices, groups=groups
    )
    return data, cmap, vmap


def plan_pyvrp(pyvrp, dispatch, search_mod, techs, jobs, iterations, seed=1):
    """The PyVRP plan re-timed and completed by the dispatcher's rules, as a Plan."""
    from pyvrp.stop import MaxIterations  # noqa: PLC0415

    started = time.monotonic()
    data, cmap, vmap = build_data(pyvrp, dispatch, techs, jobs)
    built, cpu = time.monotonic(), time.process_time()
    res = pyvrp.solve(data, stop=MaxIterations(iterations), seed=seed, display=False)
    solved, cpu = time.monotonic(), time.process_time() - cpu
    per_day = {}
    for route in res.best.routes():
        tech_id, s = vmap[route.vehicle_type()]
        visits = [cmap[act.idx] for act in route.schedule() if act.is_client()]
        per_day.setdefault((tech_id, s // dispatch.DAY), []).append((s, visits))
    _tm, job_map, travel, routes = dispatch._setup(techs, jobs, dispatch.DEFAULT_SPEED_KMH, None)
    search = search_mod.RouteSearch(techs, jobs, routes, travel)
    dropped = 0
    for key, parts in per_day.items():
        kept = []
        for _s, visits in sorted(parts, key=lambda p: p[0]):
            for jid in visits:
                if search.evaluate(key, [*kept, jid]) is not None:
                    kept.append(jid)
                else:
                    dropped += 1
        search.seqs[key] = kept
    routes = search.to_routes(techs)
    planned = {e.job_id for r in routes.values() for e in r.entries}
    rest = sorted(
        (j for j in jobs if j.id not in planned and not j.fixed),
        key=lambda j: (j.deadline if j.deadline is not None else float("inf"), -j.priority),
    )
    reinserted = 0
    for job in rest:
        best = dispatch._best_place(techs, routes, job, travel)
        if best:
            tech, (s, pos, tr, _d) = best
            dispatch._insert(routes[tech.id], job, s, pos, tr, travel)
            reinserted += 1
    plan = dispatch._build_plan(techs, jobs, routes, travel, "pyvrp", started)
    plan.stats.update(
        pyvrp_build=round(built - started, 1),
        pyvrp_solve=round(solved - built, 1),
        pyvrp_solve_cpu=round(cpu, 1),
        pyvrp_iterations=iterations,
        pyvrp_dropped=dropped,
        pyvrp_reinserted=reinserted,
        pyvrp_feasible=res.best.is_feasible(),
    )
    return plan
