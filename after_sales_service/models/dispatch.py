"""Planning core of the dispatcher: pure Python, no ORM.

The Odoo side turns employees (technicians) and service orders (jobs) into the
dataclasses below and calls :func:`plan_greedy` or :func:`plan_optimised`; the
answer is a :class:`Plan` whose reasons are machine keys with parameters, to be
translated by the caller. :func:`check_plan` verifies every hard constraint of a
plan independently of the planner that made it.

Time is in integer minutes from the start of the horizon; a "day" is
``minute // 1440``.

Rules shared by the planners and the checker (the hard constraints):

* the technician has every skill of the job at (at least) the required level;
* a job runs ``duration`` minutes, inside one free interval of its technician,
  together with the travel that precedes it (travel is working time);
* travel precedes each job: from the previous job of the same technician on the
  same day, else from the technician's home; consecutive jobs never overlap,
  travel included; the way back home is not counted;
* a customer time window ``(earliest, latest_start)`` bounds the start;
* a fixed (locked) job keeps its technician and start; it need not lie in a free
  interval (the caller may already have removed it from them) but the others
  keep clear of it, travel included.

Soft: the SLA ``deadline`` is a minute by which the job should be finished;
``lateness = max(0, end - deadline)``; an SLA violation weighs ``priority + 1``.
"""

import math
import os
import time
from bisect import bisect_right
from dataclasses import dataclass, field

DAY = 1440
DEFAULT_SPEED_KMH = 50.0
DEFAULT_ZONE_MINUTES = {"same": 15, "other": 45}


@dataclass(frozen=True)
class Technician:
    id: object
    skills: dict = field(default_factory=dict)
    intervals: list = field(default_factory=list)
    home: tuple | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Job:
    id: object
    duration: int
    skills: dict = field(default_factory=dict)
    window: tuple | None = None
    deadline: int | None = None
    priority: int = 0
    location: tuple | None = None
    zone: str | None = None
    fixed: tuple | None = None
    # where the work is (the customer): two jobs at the same site need no travel
    site: object = None


@dataclass
class Assignment:
    job_id: object
    technician_id: object
    start: int
    end: int
    travel_before: int = 0
    reasons: dict = field(default_factory=dict)


@dataclass
class Plan:
    assignments: list = field(default_factory=list)
    unplanned: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# travel


def haversine_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _place(x):
    """(coordinates, zone, site) of a Job, a Technician (its home) or a
    ``(coordinates, zone)`` / ``(coordinates, zone, site)`` tuple."""
    if isinstance(x, Job):
        return x.location, x.zone, x.site
    if isinstance(x, Technician):
        return x.home, x.zone, None
    return (*x, None, None, None)[:3]


def travel_minutes(a, b, speed_kmh=DEFAULT_SPEED_KMH, zone_minutes=None):
    """Minutes from ``a`` to ``b`` (Jobs, Technicians or place tuples) and whether
    the zone estimate was used: ``(minutes, fallback_used)``. The one travel rule
    of the dispatcher and of the server's planning checks:

    * the same site (customer) on both sides: no travel;
    * both coordinates known: great-circle distance / speed, rounded up;
    * else both zones known: ``zone_minutes['same']`` (default 15) for the same
      zone, ``zone_minutes['other']`` (default 45) for another one;
    * else nothing can be measured: no travel is assumed."""
    zone_minutes = zone_minutes or DEFAULT_ZONE_MINUTES
    (la, za, sa), (lb, zb, sb) = _place(a), _place(b)
    if sa is not None and sa == sb:
        return 0, False
    if la is not None and lb is not None:
        return math.ceil(haversine_km(la, lb) / speed_kmh * 60 - 1e-9), False
    if za is not None and zb is not None:
        if za == zb:
            return zone_minutes.get("same", 15), True
        return zone_minutes.get("other", 45), True
    return 0, False


class _Travel:
    """Cached travel between jobs and from homes."""

    def __init__(self, techs, jobs, speed_kmh, zone_minutes):
        self.techs, self.jobs = techs, jobs
        self.speed, self.zones = speed_kmh, zone_minutes or DEFAULT_ZONE_MINUTES
        self.cache = {}

    def get(self, origin, job_id, tech_id):
        """``origin`` is a job id, or None for the home of ``tech_id``."""
        key = (origin, job_id, tech_id if origin is None else None)
        res = self.cache.get(key)
        if res is None:
            src = self.techs[tech_id] if origin is None else self.jobs[origin]
            res = self.cache[key] = travel_minutes(src, self.jobs[job_id], self.speed, self.zones)
        return res


# ---------------------------------------------------------------------------
# shared helpers


def _qualified(tech, job):
    return all(tech.skills.get(s, 0) >= lvl for s, lvl in job.skills.items())


@dataclass
class _Entry:
    start: int
    end: int
    job_id: object
    travel: int
    fixed: bool = False


class _Route:
    """A technician's entries sorted by start, with its sorted free intervals."""

    def __init__(self, tech):
        self.tech = tech
        self.intervals = sorted((int(s), int(e)) for s, e in tech.intervals if e > s)
        self.istarts = [s for s, _e in self.intervals]
        self.entries = []

    def interval_of(self, start, end):
        i = bisect_right(self.istarts, start) - 1
        if i >= 0 and self.intervals[i][0] <= start and end <= self.intervals[i][1]:
            return self.intervals[i]
        return None

    def starts(self):
        return [e.start for e in self.entries]


def _origin(route, pos, day):
    """Job id of the previous entry when on ``day``, else None (home)."""
    if pos > 0:
        prev = route.entries[pos - 1]
        if prev.start // DAY == day:
            return prev.job_id
    return None


def _candidates(route, job, travel, min_start=None, day=None):
    """Every feasible gap insertion of ``job`` in ``route`` without moving others:
    yields ``(start, pos, travel_before, next_travel_delta)``, earliest per gap."""
    entries, intervals = route.entries, route.intervals
    tech_id, dur = route.tech.id, job.duration
    w_lo, w_hi = job.window if job.window else (None, None)
    n = len(entries)
    for pos in range(n + 1):
        prev = entries[pos - 1] if pos else None
        nxt = entries[pos] if pos < n else None
        gap_lo = prev.end if prev else -(10**12)
        gap_hi = nxt.start if nxt else 10**12
        if min_start is not None and gap_hi < min_start:
            continue
        i = max(0, bisect_right(route.istarts, gap_lo) - 1)
        for i_s, i_e in intervals[i:]:
            if i_s >= gap_hi:
                break
            if i_e <= gap_lo:
                continue
            iday = i_s // DAY
            if day is not None and iday != day:
                continue
            origin = prev.job_id if prev and prev.start // DAY == iday else None
            tr = travel.get(origin, job.id, tech_id)[0]
            s = max(i_s, prev.end if prev else i_s) + tr
            if w_lo is not None:
                s = max(s, w_lo)
            if min_start is not None:
                s = max(s, min_start)
            e = s + dur
            if e > i_e or (w_hi is not None and s > w_hi):
                continue
            delta = _next_travel_delta(route, job, nxt, e, iday, travel) if nxt else 0
            if delta is None:
                continue
            yield s, pos, tr, delta
            break  # the earliest start of this gap


def _next_travel_delta(route, job, nxt, end, day, travel):
    """The change of the travel before ``nxt`` when ``job`` ends at ``end`` just
    before it (on ``day``), or None when ``nxt`` could then not be reached in time."""
    if end > nxt.start:
        return None
    if nxt.start // DAY != day:
        return 0
    tr_n = travel.get(job.id, nxt.job_id, route.tech.id)[0]
    if nxt.start - tr_n < end:
        return None
    if not nxt.fixed:
        itv = route.interval_of(nxt.start, nxt.end)
        if itv is None or nxt.start - tr_n < itv[0]:
            return None
    return tr_n - nxt.travel


def _insert(route, job, s, pos, tr, travel):
    entry = _Entry(s, s + job.duration, job.id, tr)
    route.entries.insert(pos, entry)
    if pos + 1 < len(route.entries):
        nxt = route.entries[pos + 1]
        origin = _origin(route, pos + 1, nxt.start // DAY)
        nxt.travel = travel.get(origin, nxt.job_id, route.tech.id)[0]
    return entry


def _remove(route, pos, travel):
    del route.entries[pos]
    if pos < len(route.entries):
        nxt = route.entries[pos]
        origin = _origin(route, pos, nxt.start // DAY)
        nxt.travel = travel.get(origin, nxt.job_id, route.tech.id)[0]


def _entry_ok(route, pos):
    """Whether the entry at ``pos`` still keeps clear of its predecessor and inside
    its free interval with its (current) travel."""
    if pos >= len(route.entries):
        return True
    ent = route.entries[pos]
    if pos and ent.start - ent.travel < route.entries[pos - 1].end:
        return False
    if ent.fixed:
        return True
    itv = route.interval_of(ent.start, ent.end)
    return itv is not None and ent.start - ent.travel >= itv[0]


def _lateness(job, end):
    return max(0, end - job.deadline) if job.deadline is not None else 0


def _setup(techs, jobs, speed_kmh, zone_minutes):
    tech_map = {t.id: t for t in techs}
    job_map = {j.id: j for j in jobs}
    travel = _Travel(tech_map, job_map, speed_kmh, zone_minutes)
    routes = {t.id: _Route(t) for t in techs}
    for job in jobs:
        if job.fixed and job.fixed[0] in routes:
            route = routes[job.fixed[0]]
            s = int(job.fixed[1])
            pos = bisect_right(route.starts(), s)
            _insert(route, job, s, pos, 0, travel)
            route.entries[pos].fixed = True
            origin = _origin(route, pos, s // DAY)
            route.entries[pos].travel = travel.get(origin, job.id, route.tech.id)[0]
    return tech_map, job_map, travel, routes


def _unplanned_reason(job, techs):
    if not techs:
        return ("no_technician", {})
    if job.fixed:
        return ("fixed_unknown_technician", {"technician": job.fixed[0]})
    qualified = [t for t in techs if _qualified(t, job)]
    if not qualified:
        return ("no_skill", {"skills": dict(job.skills)})
    if not any(t.intervals for t in qualified):
        return ("no_availability", {"qualified": len(qualified)})
    longest = max(
        (e - s for t in qualified for s, e in t.intervals),
        default=0,
    )
    if job.duration > longest:
        return ("too_long", {"duration": job.duration, "longest": longest})
    if job.window:
        w_lo, w_hi = job.window
        fits = any(
            max(s, w_lo) <= min(e - job.duration, w_hi) for t in qualified for s, e in t.intervals
        )
        if not fits:
            return ("no_window_slot", {"window": tuple(job.window)})
    return ("no_slot", {"qualified": len(qualified)})


def _build_plan(techs, jobs, routes, travel, solver, started, extra=None):
    tech_map = {t.id: t for t in techs}
    job_map = {j.id: j for j in jobs}
    assignments, planned_ids = [], set()
    loads = {}
    for tech_id, route in routes.items():
        tech = tech_map[tech_id]
        for pos, ent in enumerate(route.entries):
            job = job_map[ent.job_id]
            origin = _origin(route, pos, ent.start // DAY)
            tr, fb = travel.get(origin, job.id, tech_id)
            planned_ids.add(job.id)
            loads[tech_id] = loads.get(tech_id, 0) + job.duration + tr
            assignments.append(
                Assignment(
                    job.id,
                    tech_id,
                    ent.start,
                    ent.end,
                    tr,
                    {
                        "skill_match": {
                            s: (lvl, tech.skills.get(s, 0)) for s, lvl in job.skills.items()
                        },
                        "slot": (ent.start, ent.end),
                        "travel_minutes": tr,
                        "travel_from": origin if origin is not None else "home",
                        "sla_margin": (job.deadline - ent.end)
                        if job.deadline is not None
                        else None,
                        "fallback_used": fb,
                        "fixed": ent.fixed,
                    },
                )
            )
    assignments.sort(key=lambda a: (a.start, str(a.technician_id)))
    unplanned = {j.id: _unplanned_reason(j, techs) for j in jobs if j.id not in planned_ids}
    plan = Plan(assignments, unplanned, {})
    plan.stats = _stats(plan, job_map, tech_map, travel, solver, started)
    if extra:
        plan.stats.update(extra)
    return plan


def _stats(plan, job_map, tech_map, travel, solver, started):
    sla = sla_w = late = tr = fb = 0
    horizon_end = max(
        (end for tech in tech_map.values() for _start, end in tech.intervals), default=0
    )
    loads = dict.fromkeys(tech_map, 0)
    for a in plan.assignments:
        job = job_map[a.job_id]
        lt = _lateness(job, a.end)
        if lt:
            sla += 1
            sla_w += job.priority + 1
            late += lt
        tr += a.travel_before
        fb += bool(a.reasons.get("fallback_used"))
        loads[a.technician_id] = loads.get(a.technician_id, 0) + a.end - a.start
    violations = check_plan(
        list(tech_map.values()),
        list(job_map.values()),
        plan,
        speed_kmh=travel.speed,
        zone_minutes=travel.zones,
    )
    return {
        "planned": len(plan.assignments),
        "unplanned": len(plan.unplanned),
        "hard_violations": len(violations),
        "sla_violations": sla,
        "sla_weighted": sla_w
        + sum(
            job_map[j].priority + 1
            for j in plan.unplanned
            if j in job_map
            and job_map[j].deadline is not None
            and job_map[j].deadline <= horizon_end
        ),
        # unplanned jobs that have an SLA deadline (they miss it unless planned later)
        "unplanned_with_deadline": sum(
            job_map[j].deadline is not None for j in plan.unplanned if j in job_map
        ),
        # SLA deadlines missed: late on the plan, or not planned although the deadline
        # passes before the last working minute of the horizon (nobody does them in time)
        "sla_missed": sla
        + sum(
            job_map[j].deadline is not None and job_map[j].deadline <= horizon_end
            for j in plan.unplanned
            if j in job_map
        ),
        "lateness": late,
        "travel": tr,
        "travel_fallbacks": fb,
        "load_spread": (max(loads.values()) - min(loads.values())) if loads else 0,
        "runtime": round(time.monotonic() - started, 3),
        "solver": solver,
        "fallback": None,
    }


def _score(stats):
    """Lexicographic key of a plan, smaller is better."""
    return (
        -stats["planned"],
        stats["sla_weighted"],
        stats["lateness"],
        stats["travel"],
        stats["load_spread"],
    )


# ---------------------------------------------------------------------------
# greedy


def _greedy_fill(techs, jobs, travel, routes):
    order = sorted(
        (j for j in jobs if not j.fixed),
        key=lambda j: (
            j.deadline if j.deadline is not None else math.inf,
            -j.priority,
            j.window[1] if j.window else math.inf,
        ),
    )
    for job in order:
        best = None
        for rank, tech in enumerate(techs):
            if not _qualified(tech, job):
                continue
            route = routes[tech.id]
            for s, pos, tr, _d in _candidates(route, job, travel):
                key = (s, tr, rank)
                if best is None or key < best[0]:
                    best = (key, route, s, pos, tr)
                break  # candidates come in time order: the first is the earliest
        if best:
            _key, route, s, pos, tr = best
            _insert(route, job, s, pos, tr, travel)


def plan_greedy(techs, jobs, speed_kmh=DEFAULT_SPEED_KMH, zone_minutes=None):
    """The documented baseline.

    Fixed jobs are placed first, as given. The others are taken by earliest SLA
    deadline (none last), then highest priority, then shortest window end; each
    goes to the earliest feasible start over the qualified technicians (ties: the
    least travel, then the technician order given), in any gap of the
    technician's day that keeps every hard constraint, nothing else moved."""
    started = time.monotonic()
    _tm, _jm, travel, routes = _setup(techs, jobs, speed_kmh, zone_minutes)
    _greedy_fill(techs, jobs, travel, routes)
    return _build_plan(techs, jobs, routes, travel, "greedy", started)


# ---------------------------------------------------------------------------
# optimiser


def _route_cost(route, job_map, day):
    sla = late = tr = 0
    for ent in route.entries:
        if ent.start // DAY != day:
            continue
        job = job_map[ent.job_id]
        lt = _lateness(job, ent.end)
        if lt:
            sla += job.priority + 1
            late += lt
        tr += ent.travel
    return sla, late, tr


def _sequence_day(route, day, order, job_map, travel):
    """Schedule ``order`` (job ids) left-shifted on ``day`` of ``route``; return the
    jobs that did not fit and the cost (dropped, sla, lateness, travel)."""
    dropped, last_end = [], None
    for job_id in order:
        job = job_map[job_id]
        cand = next(_candidates(route, job, travel, min_start=last_end, day=day), None)
        if cand is None:
            dropped.append(job_id)
            continue
        s, pos, tr, _d = cand
        last_end = _insert(route, job, s, pos, tr, travel).end
    sla, late, tr = _route_cost(route, job_map, day)
    return dropped, (len(dropped), sla, late, tr)


def _clear_day(route, day, travel):
    pos = 0
    while pos < len(route.entries):
        ent = route.entries[pos]
        if ent.start // DAY == day and not ent.fixed:
            _remove(route, pos, travel)
        else:
            pos += 1


def _best_sequence(route, day, job_ids, job_map, travel, deadline_at):
    """Order the jobs of one technician-day: earliest-due and nearest-neighbour
    starts, then relocate moves (first improvement) until no gain or time's up."""
    if not job_ids:
        return []

    def due(j):
        job = job_map[j]
        cands = [job.deadline if job.deadline is not None else math.inf]
        if job.window:
            cands.append(job.window[1] + job.duration)
        return min(cands)

    def evaluate(order):
        _clear_day(route, day, travel)
        return _sequence_day(route, day, order, job_map, travel)

    edd = sorted(job_ids, key=due)
    nn, left, cur = [], set(job_ids), None
    while left:
        nxt = min(left, key=lambda j: (travel.get(cur, j, route.tech.id)[0], due(j)))
        nn.append(nxt)
        left.discard(nxt)
        cur = nxt
    best_order, best_cost = None, None
    for order in (edd, nn):
        _dropped, cost = evaluate(order)
        if best_cost is None or cost < best_cost:
            best_order, best_cost = list(order), cost
    improved = True
    while improved and time.monotonic() < deadline_at and len(best_order) > 1:
        improved = False
        n = len(best_order)
        for i in range(n):
            for k in range(n):
                if i == k:
                    continue
                order = list(best_order)
                order.insert(k, order.pop(i))
                _dropped, cost = evaluate(order)
                if cost < best_cost:
                    best_order, best_cost, improved = order, cost, True
                    break
            if improved or time.monotonic() >= deadline_at:
                break
    dropped, _cost = evaluate(best_order)
    return dropped


def _improve(techs, jobs, routes, job_map, travel, until):
    """Relocate moves until no gain or ``until``: each planned job (worst first)
    is taken out and put back where it costs least over all technicians (gap
    insertion, others unmoved); kept only when (SLA weight, lateness, travel)
    strictly improves. Unplanned jobs are retried after each pass."""
    where = {}
    for tech in techs:
        for ent in routes[tech.id].entries:
            where[ent.job_id] = tech.id
    unplanned = [j for j in jobs if not j.fixed and j.id not in where]

    def best_insertion(job):
        best = None
        for tech in techs:
            if not _qualified(tech, job):
                continue
            route = routes[tech.id]
            for s, pos, tr, delta in _candidates(route, job, travel):
                late = _lateness(job, s + job.duration)
                key = (bool(late) * (job.priority + 1), late, tr + delta, s)
                if best is None or key < best[0]:
                    best = (key, route, s, pos, tr)
        return best

    improved = True
    while improved and time.monotonic() < until:
        improved = False
        for job in list(unplanned):
            best = best_insertion(job)
            if best:
                _key, route, s, pos, tr = best
                _insert(route, job, s, pos, tr, travel)
                where[job.id] = route.tech.id
                unplanned.remove(job)
                improved = True

        if _swap_urgent(techs, routes, job_map, travel, where, unplanned, until):
            improved = True

        def badness(job_id):
            route = routes[where[job_id]]
            ent = next(e for e in route.entries if e.job_id == job_id)
            return (-_lateness(job_map[job_id], ent.end), -ent.travel)

        for job_id in sorted(where, key=badness):
            if time.monotonic() >= until:
                break
            job = job_map[job_id]
            if job.fixed:
                continue
            route = routes[where[job_id]]
            pos = next(i for i, e in enumerate(route.entries) if e.job_id == job_id)
            ent = route.entries[pos]
            nxt = route.entries[pos + 1] if pos + 1 < len(route.entries) else None
            before = ent.travel + (nxt.travel if nxt else 0)
            _remove(route, pos, travel)
            if not _entry_ok(route, pos):  # the next job cannot do without this one
                _insert(route, job, ent.start, pos, ent.travel, travel)
                continue
            after = nxt.travel if nxt else 0
            late = _lateness(job, ent.end)
            old_key = (bool(late) * (job.priority + 1), late, before - after)
            best = best_insertion(job)
            if best and best[0][:3] < old_key:
                _key, new_route, s, npos, tr = best
                _insert(new_route, job, s, npos, tr, travel)
                where[job_id] = new_route.tech.id
                improved = True
            else:
                _insert(route, job, ent.start, pos, ent.travel, travel)
                route.entries[pos].travel = ent.travel


def _miss_weight(job, horizon_end):
    """What leaving ``job`` unplanned costs in SLA weight."""
    if job.deadline is not None and job.deadline <= horizon_end:
        return job.priority + 1
    return 0


def _swap_urgent(techs, routes, job_map, travel, where, unplanned, until):
    """Swap moves: an unplanned job that will miss its SLA (deadline inside the
    horizon) takes the place of a planned job whose absence costs less SLA weight
    (a later deadline, a lower priority); the job taken out is put back elsewhere
    when it fits. The number of planned jobs never drops; the weighted SLA misses
    strictly drop. Returns whether anything changed."""
    horizon_end = max((e for tech in techs for _s, e in routes[tech.id].intervals), default=0)
    urgent = sorted(
        (j for j in unplanned if _miss_weight(j, horizon_end)),
        key=lambda j: (-j.priority, j.deadline),
    )
    changed = False
    for job in urgent:
        if time.monotonic() >= until:
            break
        for tech in techs:
            if not _qualified(tech, job):
                continue
            out = _swap_in(routes[tech.id], job, job_map, travel, horizon_end)
            if out is None:
                continue
            where[job.id] = tech.id
            unplanned.remove(job)
            del where[out.id]
            best = _best_place(techs, routes, out, travel)
            if best:
                other, (s2, pos2, tr2, _d2) = best
                _insert(routes[other.id], out, s2, pos2, tr2, travel)
                where[out.id] = other.id
            else:
                unplanned.append(out)
            changed = True
            break
    return changed


def _swap_in(route, job, job_map, travel, horizon_end):
    """Put ``job`` on time in ``route`` in the place of one entry whose absence
    costs less SLA weight; returns the job taken out, or None (route unchanged)."""
    w_in = job.priority + 1
    for pos, ent in enumerate(list(route.entries)):
        out = job_map[ent.job_id]
        if out.fixed:
            continue
        w_now = (out.priority + 1) if _lateness(out, ent.end) else 0
        if w_in <= _miss_weight(out, horizon_end) - w_now:
            continue
        _remove(route, pos, travel)
        on_time = (
            [c for c in _candidates(route, job, travel) if not _lateness(job, c[0] + job.duration)]
            if _entry_ok(route, pos)
            else []
        )
        if not on_time:
            _insert(route, out, ent.start, pos, ent.travel, travel)
            route.entries[pos].travel = ent.travel
            continue
        s, npos, tr, _delta = min(on_time, key=lambda c: (c[2] + c[3], c[0]))
        _insert(route, job, s, npos, tr, travel)
        return out
    return None


def _best_place(techs, routes, job, travel):
    """(technician, candidate) where ``job`` costs least (SLA, lateness, travel)."""
    best = None
    for tech in techs:
        if not _qualified(tech, job):
            continue
        for cand in _candidates(routes[tech.id], job, travel):
            late = _lateness(job, cand[0] + job.duration)
            key = (bool(late) * (job.priority + 1), late, cand[2] + cand[3], cand[0])
            if best is None or key < best[0]:
                best = (key, tech, cand)
    return best[1:] if best else None


def _assign_cpsat(techs, free_jobs, routes, travel, time_limit_s, hint, workers):
    """CP-SAT: job -> (technician, day), with the day's free minutes as capacity
    (duration + estimated travel), objective the weighted sum of the strict order
    planned > SLA (priority-weighted) > lateness > travel from home. Returns
    ``{job id: (tech id, day)}`` or None when no solution was found."""
    from ortools.sat.python import cp_model  # noqa: PLC0415

    model = cp_model.CpModel()
    horizon_end = max((e for tech in techs for _s, e in routes[tech.id].intervals), default=0)
    days = {}  # (tech, day) -> [(s, e)]
    for tech in techs:
        for s, e in routes[tech.id].intervals:
            days.setdefault((tech.id, s // DAY), []).append((s, e))
    busy = {}
    for tech in techs:
        for ent in routes[tech.id].entries:
            key = (tech.id, ent.start // DAY)
            busy[key] = busy.get(key, 0) + ent.end - ent.start + ent.travel
    xs, terms, per_job, per_day = {}, [], {}, {}
    for job in free_jobs:
        for tech in techs:
            if not _qualified(tech, job):
                continue
            home_tr = travel.get(None, job.id, tech.id)[0]
            for (tid, day), ivs in days.items():
                if tid != tech.id:
                    continue
                first = None
                for s, e in ivs:
                    lo = s + home_tr
                    hi = e - job.duration
                    if job.window:
                        lo, hi = max(lo, job.window[0]), min(hi, job.window[1])
                    if lo <= hi:
                        first = lo if first is None else min(first, lo)
                if first is None:
                    continue
                x = model.NewBoolVar("")
                xs[job.id, tech.id, day] = x
                late = _lateness(job, first + job.duration)
                cost = 10_000_000
                if late:
                    cost -= min(late, 9_000) * 10
                elif job.deadline is not None and job.deadline <= horizon_end:
                    # planned on time, it does not miss its SLA as an unplanned job would
                    cost += 100_000 * (job.priority + 1)
                cost -= home_tr
                terms.append((x, cost))
                per_job.setdefault(job.id, []).append(x)
                est = job.duration + home_tr // 2
                per_day.setdefault((tech.id, day), []).append((x, est))
    if not xs:
        return {}
    for vs in per_job.values():
        model.AddAtMostOne(vs)
    for key, items in per_day.items():
        cap = sum(e - s for s, e in days[key]) - busy.get(key, 0)
        model.Add(sum(est * x for x, est in items) <= max(0, cap))
    model.Maximize(sum(c * x for x, c in terms))
    for (job_id, tech_id, day), x in xs.items():
        model.AddHint(x, hint.get(job_id) == (tech_id, day))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.num_workers = workers
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {key[0]: key[1:] for key, x in xs.items() if solver.BooleanValue(x)}


def plan_optimised(
    techs,
    jobs,
    time_limit_s=30,
    speed_kmh=DEFAULT_SPEED_KMH,
    zone_minutes=None,
    workers=None,
    search=True,
    seed=0,
    search_rounds=None,
):
    """Optimising dispatcher; never worse than :func:`plan_greedy` on the
    lexicographic score (planned, SLA weighted, lateness, travel, load spread).

    1. the greedy plan is made first (baseline, hint and fallback);
    2. CP-SAT assigns each free job to a technician-day (capacity: free minutes
       less an estimate of travel), warm-started (AddHint) from the greedy plan,
       with 35 % of the time limit; its objective is a weighted sum whose weights
       make one more planned job worth more than any SLA/lateness/travel change
       of a few dozen jobs (a practical, not a strict, lexicographic order);
    3. each technician-day is sequenced by the same gap-insertion rules as the
       greedy (so hard constraints hold): earliest-due and nearest-neighbour
       orders, improved by relocate moves within the day;
    4. jobs left out are inserted where they cost least, then relocate moves over
       all technicians (:func:`_improve`) until 75 % of the time limit;
    5. the greedy plan improved by the same relocate moves is a second candidate
       (``solver='greedy+relocate'``);
    6. with ``search`` (the default), the better of the two is improved by the
       routing-aware local search of :mod:`dispatch_search` (insert, relocate,
       exchange, 2-opt* over technician-days, travel in the objective, then
       ruin-and-recreate rounds, at most ``search_rounds``, randomised by
       ``seed``) until 95 % of the time limit; steps 2-5 then get 20/25/35/45 %,
       and when CP-SAT fails (``stats['cpsat_failure']``) step 4 inserts every
       job and the search goes on;
    7. the best of these and the plain greedy plan by the lexicographic score is
       returned (fewest hard violations first, which the checker counts);
       ``stats['fallback']`` says why when it is the plain greedy one."""
    started = time.monotonic()
    greedy = plan_greedy(techs, jobs, speed_kmh, zone_minutes)
    if not techs or not any(not j.fixed for j in jobs):
        greedy.stats.update(solver="greedy", fallback="nothing_to_optimise")
        return greedy
    _tm, job_map, travel, routes = _setup(techs, jobs, speed_kmh, zone_minutes)
    hint = {a.job_id: (a.technician_id, a.start // DAY) for a in greedy.assignments}
    free_jobs = [j for j in jobs if not j.fixed]
    workers = workers or max(1, min(8, os.cpu_count() or 1))
    share = (0.2, 0.25, 0.35, 0.45) if search else (0.35, 0.5, 0.75, 0.95)
    try:
        assign = _assign_cpsat(
            techs, free_jobs, routes, travel, time_limit_s * share[0], hint, workers
        )
    except Exception as exc:  # noqa: BLE001 - any solver failure falls back to greedy
        assign, cpsat_failure = None, f"cp-sat error: {exc}"
    else:
        cpsat_failure = None if assign is not None else "cp-sat found no solution in time"
    if cpsat_failure and not search:
        greedy.stats.update(
            solver="greedy",
            fallback=cpsat_failure,
            runtime=round(time.monotonic() - started, 3),
        )
        return greedy
    # with the local search, a CP-SAT failure only leaves the insertion to step 4
    assign = assign or {}
    by_day = {}
    for job in free_jobs:
        if job.id in assign:
            by_day.setdefault(assign[job.id], []).append(job.id)
    seq_deadline = started + time_limit_s * share[1]
    for (tech_id, day), job_ids in sorted(by_day.items(), key=lambda kv: str(kv[0])):
        _best_sequence(routes[tech_id], day, job_ids, job_map, travel, seq_deadline)
    # repair (unplanned jobs first, most urgent first) and relocate moves
    free_jobs.sort(key=lambda j: (j.deadline if j.deadline is not None else math.inf, -j.priority))
    _improve(techs, free_jobs, routes, job_map, travel, started + time_limit_s * share[2])
    plan = _build_plan(
        techs, jobs, routes, travel, "insertion" if cpsat_failure else "cp-sat", started
    )
    # the greedy plan improved by the same relocate moves: a second candidate
    _tm, _jm, travel2, routes2 = _setup(techs, jobs, speed_kmh, zone_minutes)
    _greedy_fill(techs, jobs, travel2, routes2)
    _improve(techs, free_jobs, routes2, job_map, travel2, started + time_limit_s * share[3])
    plan2 = _build_plan(techs, jobs, routes2, travel2, "greedy+relocate", started)
    candidates, search_error = [plan2, greedy], None
    if search:
        try:
            plan3 = _search_plan(
                techs,
                jobs,
                [(plan, routes, travel), (plan2, routes2, travel2)],
                started + time_limit_s * 0.95,
                seed,
                search_rounds,
                started,
            )
        except Exception as exc:  # noqa: BLE001 - the plans made without it remain
            plan3, search_error = None, f"local search error: {exc}"
        if plan3 is not None:
            candidates.insert(0, plan3)
    for cand in candidates:
        if cand.stats["hard_violations"] <= plan.stats["hard_violations"] and (
            cand.stats["hard_violations"] < plan.stats["hard_violations"]
            or _score(cand.stats) < _score(plan.stats)
        ):
            plan = cand
    if plan is greedy:
        greedy.stats["fallback"] = "greedy plan scored best"
    if search_error:
        plan.stats["search_error"] = search_error
    if cpsat_failure:
        plan.stats["cpsat_failure"] = cpsat_failure
    plan.stats["runtime"] = round(time.monotonic() - started, 3)
    return plan


def _search_plan(techs, jobs, bases, until, seed, rounds, started):
    """The best of ``bases`` (``(plan, routes, travel)``, sound ones only)
    improved by :func:`dispatch_search.search_routes`; None when none is sound."""
    from .dispatch_search import search_routes  # noqa: PLC0415 - imports this module

    sound = [b for b in bases if not b[0].stats["hard_violations"]]
    if not sound:
        return None
    base, routes, travel = min(sound, key=lambda b: _score(b[0].stats))
    found, info = search_routes(
        techs, jobs, routes, travel, until, seed=seed, max_iterations=rounds
    )
    return _build_plan(techs, jobs, found, travel, f"{base.stats['solver']}+search", started, info)


# ---------------------------------------------------------------------------
# checker


def check_plan(techs, jobs, plan, speed_kmh=DEFAULT_SPEED_KMH, zone_minutes=None):
    """Every hard constraint of ``plan``, recomputed from the input alone; returns
    a list of ``(key, params)`` violations (empty when the plan is sound)."""
    tech_map = {t.id: t for t in techs}
    job_map = {j.id: j for j in jobs}
    out = []
    seen = set()
    per_tech = {}
    for a in plan.assignments:
        job, tech = job_map.get(a.job_id), tech_map.get(a.technician_id)
        if job is None or tech is None:
            out.append(("unknown_record", {"job": a.job_id, "technician": a.technician_id}))
            continue
        if a.job_id in seen:
            out.append(("assigned_twice", {"job": a.job_id}))
        seen.add(a.job_id)
        if a.end - a.start != job.duration:
            out.append(("wrong_duration", {"job": a.job_id}))
        if job.fixed:
            if (a.technician_id, a.start) != (job.fixed[0], job.fixed[1]):
                out.append(("fixed_moved", {"job": a.job_id}))
        else:
            if not _qualified(tech, job):
                out.append(("skill", {"job": a.job_id, "technician": a.technician_id}))
            if job.window and not job.window[0] <= a.start <= job.window[1]:
                out.append(("window", {"job": a.job_id, "start": a.start}))
        per_tech.setdefault(a.technician_id, []).append(a)
    for job in jobs:
        if job.fixed and job.id not in seen and job.fixed[0] in tech_map:
            out.append(("fixed_dropped", {"job": job.id}))
    for tech_id, items in per_tech.items():
        tech = tech_map[tech_id]
        ivs = sorted(tech.intervals)
        items.sort(key=lambda a: a.start)
        prev = None
        for a in items:
            job = job_map[a.job_id]
            day = a.start // DAY
            src = job_map[prev.job_id] if prev and prev.start // DAY == day else tech
            tr = travel_minutes(src, job, speed_kmh, zone_minutes)[0]
            if prev and a.start - (tr if src is not tech else 0) < prev.end:
                out.append(("overlap", {"job": a.job_id, "previous": prev.job_id, "travel": tr}))
            if not job.fixed and not any(s <= a.start - tr and a.end <= e for s, e in ivs):
                out.append(("outside_free_time", {"job": a.job_id, "travel": tr}))
            prev = a
    return out
