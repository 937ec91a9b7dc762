"""Routing-aware local search for the dispatcher: pure Python, no ORM.

It works on technician-day sequences: a route is the ordered list of the jobs of
one technician on one day, timed left-shifted by the rules of ``dispatch.py``
(travel from home before the first job of the day, from the previous job after
that, also across a break: the break is taken where the technician is; each job
with the travel before it inside one free interval; customer windows; a fixed job
at its own start). Left-shifting is optimal for a given order: every start is the
earliest possible, so lateness is the least and travel does not depend on timing.

Moves, each tried over a job's nearest neighbours (a granular neighbourhood):

* insert an unplanned job anywhere in a route (later jobs shift);
* relocate a job into another position, on any technician-day;
* exchange two jobs (also an unplanned job for a planned one);
* 2-opt*: two routes swap their tails;
* ruin and recreate: a cluster of nearby jobs is taken out and put back by
  cheapest insertion, then the moves above; kept when the objective is no worse.

The objective is one integer: unplanned jobs, then SLA weight (late on the plan,
or unplanned with a deadline in the horizon), then travel and lateness together
(a minute of travel weighs as an hour of lateness: where there is more work than
time, a strict "lateness before travel" keeps every detour that saves a late job a
few minutes). The optimiser still picks its plan by its lexicographic score. Randomness comes from a seeded generator; ``max_iterations``
bounds the ruin-and-recreate rounds so a run repeats when time does not run out.
The result goes back into the dispatcher's own routes, and ``check_plan`` stays
the judge of the plan built from them.
"""

import math
import random
import time

from .dispatch import DAY, _Entry, _qualified, _Route

W_UNPLANNED = 10**24
W_SLA = 10**18
W_TRAVEL = 60  # a minute of travel weighs as an hour of lateness
W_LATE = 1
SLACK = 20  # minutes of travel a ruin-and-recreate round may add at the start
RUIN_MIN, RUIN_MAX = 2, 6  # jobs taken out per ruin-and-recreate round
STALL = 500  # rounds without a better plan: the search stops (small instances)


class RouteSearch:
    """Technician-day sequences with their costs, and the moves on them."""

    def __init__(self, techs, jobs, routes, travel, seed=0, neighbours=12):
        self.tech_map = {t.id: t for t in techs}
        self.job_map = {j.id: j for j in jobs}
        self.travel = travel
        self.rng = random.Random(seed)
        self.rows, self.home_rows, self.bases, self._tmp = {}, {}, {}, []
        self.ivs = {}
        for tech in techs:
            for s, e in routes[tech.id].intervals:
                self.ivs.setdefault((tech.id, s // DAY), []).append((s, e))
        self.horizon_end = max((e for ivs in self.ivs.values() for _s, e in ivs), default=0)
        self.seqs = {key: [] for key in self.ivs}
        self.where = {}
        for tech in techs:
            for ent in routes[tech.id].entries:
                key = (tech.id, ent.start // DAY)
                self.ivs.setdefault(key, [])
                self.seqs.setdefault(key, []).append(ent.job_id)
                self.where[ent.job_id] = key
        self.cost = {key: self.evaluate(key, seq) for key, seq in self.seqs.items()}
        # a route the left-shifted timing cannot reproduce (e.g. an interval over
        # midnight) is left exactly as it was, and its jobs stay where they are
        self.frozen = {
            key: [e for e in routes[key[0]].entries if e.start // DAY == key[1]]
            for key, c in self.cost.items()
            if c is None
        }
        for key in self.frozen:
            self.cost[key] = 0
        self.keys_of = {}
        for key in self.seqs:
            if key not in self.frozen:
                self.keys_of.setdefault(key[0], []).append(key)
        self.unplanned = {j.id for j in jobs if j.id not in self.where and not j.fixed}
        self.qual = {j.id: {t.id for t in techs if _qualified(t, j)} for j in jobs if not j.fixed}
        self.near = self._neighbours(jobs, neighbours)
        self.near_keys = self._home_keys(techs, jobs)
        self.journal = None

    # -- data ------------------------------------------------------------

    def _neighbours(self, jobs, k):
        """The ``k`` nearest other jobs of each job (planar approximation of the
        coordinates; a job without coordinates: the jobs of its zone)."""
        free = [j for j in jobs if not j.fixed]
        located = [j for j in free if j.location is not None]
        near = {}
        if located:
            import numpy as np  # noqa: PLC0415 - heavy import only when searching

            lat = np.array([j.location[0] for j in located], dtype=float)
            lon = np.array([j.location[1] for j in located], dtype=float)
            x = lon * math.cos(math.radians(float(lat.mean()))) * 111.2
            y = lat * 111.2
            kk = min(k, len(located) - 1)
            for i, job in enumerate(located):
                if kk <= 0:
                    near[job.id] = []
                    continue
                d = (x - x[i]) ** 2 + (y - y[i]) ** 2
                d[i] = math.inf
                idx = np.argpartition(d, kk - 1)[:kk]
                idx = idx[np.argsort(d[idx])]
                near[job.id] = [located[int(n)].id for n in idx]
        by_zone = {}
        for job in free:
            by_zone.setdefault(job.zone, []).append(job.id)
        for job in free:
            if job.location is None:
                near[job.id] = [j for j in by_zone.get(job.zone, []) if j != job.id][:k]
        return near

    def _home_keys(self, techs, jobs):
        """Per job, the routes of the three qualified technicians who live nearest."""
        out = {}
        for job in jobs:
            if job.fixed:
                continue
            ranked = sorted(
                (self.travel.get(None, job.id, t.id)[0], i, t.id)
                for i, t in enumerate(techs)
                if t.id in self.qual[job.id]
            )
            out[job.id] = [key for _tr, _i, tid in ranked[:3] for key in self.keys_of.get(tid, [])]
        return out

    def movable(self, jid):
        """Whether ``jid`` may move: not fixed, and not on a route left as it was."""
        return not self.job_map[jid].fixed and self.where.get(jid) not in self.frozen

    def miss_cost(self, job_id):
        job = self.job_map[job_id]
        cost = W_UNPLANNED
        if job.deadline is not None and job.deadline <= self.horizon_end:
            cost += W_SLA * (job.priority + 1)
        return cost

    def total(self):
        return sum(self.cost.values()) + sum(self.miss_cost(j) for j in self.unplanned)

    # -- timing ----------------------------------------------------------

    def _walk(self, key, jids, t, prev, k, cost, bound=None, base=None, offset=0, trace=None):
        """Time ``jids`` left-shifted on route ``key`` from the state ``(t, prev, k,
        cost)`` (end of the previous job, its id, the index of its free interval,
        the cost so far); returns the final cost, or None when a job does not fit or
        the cost reaches ``bound``. ``base`` = (starts, ks, cums) of the route's
        current sequence, whose jobs from index ``offset`` on are ``jids``: once
        a job starts as it did before, the rest is as before. ``trace`` collects
        ``(job id, start, end, travel, k, cost)`` per job."""
        tid = key[0]
        ivs = self.ivs[key]
        n_iv = len(ivs)
        jm, rows = self.job_map, self.rows
        home = self.home_rows.setdefault(tid, {})
        for m, jid in enumerate(jids):
            job = jm[jid]
            row = home if prev is None else rows.setdefault(prev, {})
            tr = row.get(jid)
            if tr is None:
                tr = row[jid] = self.travel.get(prev, jid, tid)[0]
            if job.fixed:
                s = job.fixed[1]
                if t is not None and s - tr < t:
                    return None
            else:
                w = job.window
                while True:
                    if k >= n_iv:
                        return None
                    i_s, i_e = ivs[k]
                    s = (i_s if t is None or t < i_s else t) + tr
                    if w:
                        s = max(s, w[0])
                        if s > w[1]:
                            return None
                    if s + job.duration <= i_e:
                        break
                    k += 1
            t = s + job.duration
            cost += W_TRAVEL * tr
            if job.deadline is not None and t > job.deadline:
                cost += W_SLA * (job.priority + 1) + W_LATE * (t - job.deadline)
            if trace is not None:
                trace.append((jid, s, t, tr, k, cost))
            if base is not None:
                i = offset + m
                if base[0][i] == s and base[1][i] == k:
                    cost += base[2][-1] - base[2][i]
                    return None if bound is not None and cost >= bound else cost
            if bound is not None and cost >= bound:
                return None
            prev = jid
        return cost

    def schedule(self, key, seq):
        """Left-shifted ``[(job id, start, end, travel, k, cost)]`` of ``seq`` on
        route ``key``, or None when some job does not fit."""
        trace = []
        if self._walk(key, seq, None, None, 0, 0, trace=trace) is None:
            return None
        return trace

    def evaluate(self, key, seq, bound=None):
        """Cost of ``seq`` on route ``key`` (None: infeasible, or not below ``bound``)."""
        return self._walk(key, seq, None, None, 0, 0, bound)

    def _base(self, key):
        base = self.bases.get(key)
        if base is None:
            trace = self.schedule(key, self.seqs[key]) or []
            base = self.bases[key] = (
                [x[1] for x in trace],
                [x[4] for x in trace],
                [x[5] for x in trace],
                [x[2] for x in trace],
            )
        return base

    def splice(self, key, pos, inserted, skip_to, bound=None):
        """Cost of route ``key`` with ``seq[pos:skip_to]`` replaced by ``inserted``
        (None: infeasible or not below ``bound``); reuses the timing of the
        unchanged head and, where it starts as before, of the unchanged tail."""
        seq = self.seqs[key]
        starts, ks, cums, ends = self._base(key)
        if pos:
            t, prev, k, cost = ends[pos - 1], seq[pos - 1], ks[pos - 1], cums[pos - 1]
        else:
            t, prev, k, cost = None, None, 0, 0
        if inserted:
            cost = self._walk(key, inserted, t, prev, k, cost, bound, trace=self._tmp)
            if cost is None:
                self._tmp.clear()
                return None
            _j, _s, t, _tr, k, _c = self._tmp[-1]
            prev = inserted[-1]
            self._tmp.clear()
        if skip_to >= len(seq):
            return None if bound is not None and cost >= bound else cost
        return self._walk(key, seq[skip_to:], t, prev, k, cost, bound, (starts, ks, cums), skip_to)

    # -- changes (journalled, so a round can be undone) ------------------

    def _set(self, key, seq, cost):
        if self.journal is not None and key not in self.journal:
            self.journal[key] = (self.seqs[key], self.cost[key])
        self.bases.pop(key, None)
        self.seqs[key] = seq
        self.cost[key] = cost
        for jid in seq:
            self.where[jid] = key

    def _unplan(self, jid):
        self.where.pop(jid, None)
        self.unplanned.add(jid)

    def _plan(self, jid):
        self.unplanned.discard(jid)

    def begin(self):
        self.journal = {}
        self._saved_unplanned = set(self.unplanned)

    def rollback(self):
        for key, (seq, cost) in self.journal.items():
            self.seqs[key], self.cost[key] = seq, cost
            self.bases.pop(key, None)
        for jid in self.unplanned - self._saved_unplanned:
            self.unplanned.discard(jid)
        for jid in self._saved_unplanned - self.unplanned:
            self.unplanned.add(jid)
            self.where.pop(jid, None)
        for key in self.journal:
            for jid in self.seqs[key]:
                self.where[jid] = key
        self.journal = None

    def commit(self):
        self.journal = None

    # -- moves -----------------------------------------------------------

    def _candidate_keys(self, jid):
        keys = {self.where[v] for v in self.near.get(jid, ()) if v in self.where}
        keys.update(self.near_keys.get(jid, ()))
        qual = self.qual[jid]
        # sorted: a set's order of strings changes between processes (hash seed)
        return sorted((key for key in keys if key[0] in qual and key not in self.frozen), key=str)

    def best_insertion(self, jid, skip=None, limit=None):
        """(delta, key, seq, cost) of the cheapest insertion of ``jid`` into a
        candidate route (not ``skip``) whose cost rises by less than ``limit``,
        or None."""
        best = None
        for key in self._candidate_keys(jid):
            if key == skip:
                continue
            seq, old = self.seqs[key], self.cost[key]
            for pos in range(len(seq) + 1):
                cap = best[0] if best else limit
                c = self.splice(key, pos, [jid], pos, None if cap is None else old + cap)
                if c is not None and (best is None or c - old < best[0]):
                    best = (c - old, key, pos, c)
        if best is None:
            return None
        delta, key, pos, c = best
        seq = self.seqs[key]
        return delta, key, seq[:pos] + [jid] + seq[pos:], c

    def try_insert(self, jid):
        """Plan the unplanned ``jid`` where it costs least; whether it was planned."""
        best = self.best_insertion(jid, limit=self.miss_cost(jid))
        if best is None:
            return False
        _d, key, seq, cost = best
        self._plan(jid)
        self._set(key, seq, cost)
        return True

    def try_replace(self, jid):
        """The unplanned ``jid`` takes the place of a nearby planned job when that
        lowers the objective (a more urgent job, or less travel); the job taken out
        is tried elsewhere at once."""
        qual = self.qual[jid]
        miss_in = self.miss_cost(jid)
        for v in self.near.get(jid, ()):
            key = self.where.get(v)
            if key is None or key[0] not in qual or not self.movable(v):
                continue
            seq, old = self.seqs[key], self.cost[key]
            pos = seq.index(v)
            c = self.splice(key, pos, [jid], pos + 1, old - self.miss_cost(v) + miss_in)
            if c is None:
                continue
            self._plan(jid)
            self._unplan(v)
            self._set(key, seq[:pos] + [jid] + seq[pos + 1 :], c)
            self.try_insert(v)
            return True
        return False

    def try_relocate(self, jid):
        key = self.where[jid]
        seq = self.seqs[key]
        pos = seq.index(jid)
        rest_cost = self.splice(key, pos, [], pos + 1)
        if rest_cost is None:
            return False
        rest = seq[:pos] + seq[pos + 1 :]
        gain = self.cost[key] - rest_cost  # what taking it out saves
        best = None
        for p in range(len(rest) + 1):
            if p == pos:
                continue
            new_seq = rest[:p] + [jid] + rest[p:]
            cap = best[0] if best else gain
            c = self.evaluate(key, new_seq, rest_cost + cap)
            if c is not None:
                best = (c - rest_cost, key, new_seq, c)
        other = self.best_insertion(jid, skip=key, limit=best[0] if best else gain)
        if other is not None:
            best = other
        if best is None:
            return False
        _d, new_key, new_seq, c = best
        if new_key == key:
            self._set(key, new_seq, c)
        else:
            self._set(key, rest, rest_cost)
            self._set(new_key, new_seq, c)
        return True

    def try_exchange(self, jid):
        key = self.where[jid]
        for v in self.near.get(jid, ()):
            key_v = self.where.get(v)
            if key_v is None or key_v == key or not self.movable(v):
                continue
            if key_v[0] not in self.qual[jid] or key[0] not in self.qual[v]:
                continue
            a, b = self.seqs[key], self.seqs[key_v]
            old = self.cost[key] + self.cost[key_v]
            i, j = a.index(jid), b.index(v)
            ca = self.splice(key, i, [v], i + 1, old)
            if ca is None:
                continue
            cb = self.splice(key_v, j, [jid], j + 1, old - ca)
            if cb is None:
                continue
            self._set(key, a[:i] + [v] + a[i + 1 :], ca)
            self._set(key_v, b[:j] + [jid] + b[j + 1 :], cb)
            return True
        return False

    def try_two_opt_star(self, jid):
        key = self.where[jid]
        for v in self.near.get(jid, ()):
            key_v = self.where.get(v)
            if key_v is None or key_v == key or key_v in self.frozen:
                continue
            a, b = self.seqs[key], self.seqs[key_v]
            old = self.cost[key] + self.cost[key_v]
            i, j = a.index(jid), b.index(v)
            # u then the tail of v's route after v / v's head then u and its tail
            for cut_a, cut_b in ((i + 1, j + 1), (i, j)):
                tail_a, tail_b = a[cut_a:], b[cut_b:]
                if not self._tails_ok(key, tail_b) or not self._tails_ok(key_v, tail_a):
                    continue
                ca = self.splice(key, cut_a, tail_b, len(a), old)
                if ca is None:
                    continue
                cb = self.splice(key_v, cut_b, tail_a, len(b), old - ca)
                if cb is None:
                    continue
                self._set(key, a[:cut_a] + tail_b, ca)
                self._set(key_v, b[:cut_b] + tail_a, cb)
                return True
        return False

    def _tails_ok(self, key, tail):
        """Every job of ``tail`` may join route ``key``: movable, tech qualified."""
        return all(not self.job_map[j].fixed and key[0] in self.qual[j] for j in tail)

    def local_search(self, job_ids, until):
        """First-improvement moves over ``job_ids`` until none improves or time's up;
        returns the number of moves made."""
        moves = 0
        todo = list(job_ids)
        while todo and time.monotonic() < until:
            self.rng.shuffle(todo)
            changed = []
            for jid in todo:
                if time.monotonic() >= until:
                    break
                if jid in self.unplanned:
                    done = self.try_insert(jid) or self.try_replace(jid)
                elif jid in self.where and self.movable(jid):
                    done = (
                        self.try_relocate(jid)
                        or self.try_exchange(jid)
                        or self.try_two_opt_star(jid)
                    )
                else:
                    done = False
                if done:
                    moves += 1
                    changed.append(jid)
            todo = self._around(changed)
        return moves

    def _around(self, job_ids):
        """The jobs worth another look after ``job_ids`` moved: themselves, their
        neighbours and the jobs of their routes."""
        out = set()
        for jid in job_ids:
            out.add(jid)
            out.update(self.near.get(jid, ()))
            key = self.where.get(jid)
            if key is not None:
                out.update(self.seqs[key])
        return sorted((j for j in out if self.movable(j)), key=str)

    def ruin_recreate(self, size, until, slack=0):
        """Take out a cluster of about ``size`` nearby planned jobs, put them (and
        unplanned neighbours) back by cheapest insertion, polish with the moves;
        keep when the objective is worse by at most ``slack`` (less than an SLA
        weight: never more unplanned jobs or SLA misses). Returns whether it was kept."""
        planned = sorted((j for j in self.where if self.movable(j)), key=str)
        if not planned:
            return False
        before = self.total()
        self.begin()
        seed = self.rng.choice(planned)
        cluster = [seed] + [v for v in self.near.get(seed, ()) if v in self.where]
        cluster = [j for j in cluster if self.movable(j)][:size]
        for jid in cluster:
            key = self.where[jid]
            rest = [j for j in self.seqs[key] if j != jid]
            cost = self.evaluate(key, rest)
            if cost is None:  # the next job needs this one (a fixed job's neighbour)
                continue
            self._set(key, rest, cost)
            self._unplan(jid)
        retry = set(cluster)
        for jid in cluster:
            retry.update(v for v in self.near.get(jid, ()) if v in self.unplanned)
        order = sorted(retry & self.unplanned, key=str)
        order.sort(key=lambda j: (-self.miss_cost(j), self.rng.random()))
        for jid in order:
            self.try_insert(jid)
        self.local_search(self._around(cluster), until)
        if self.total() <= before + slack:
            self.commit()
            return True
        self.rollback()
        return False

    # -- result ----------------------------------------------------------

    def snapshot(self):
        # a route's list is replaced on change, never changed in place
        return dict(self.seqs), dict(self.cost), set(self.unplanned)

    def restore(self, snap):
        seqs, cost, unplanned = snap
        self.seqs, self.cost, self.unplanned = dict(seqs), dict(cost), set(unplanned)
        self.bases = {}
        self.where = {jid: key for key, seq in self.seqs.items() for jid in seq}

    def to_routes(self, techs):
        """The sequences as the dispatcher's routes (timed left-shifted)."""
        routes = {t.id: _Route(t) for t in techs}
        for key in sorted(self.seqs, key=lambda k: (str(k[0]), k[1])):
            if key in self.frozen:
                routes[key[0]].entries.extend(self.frozen[key])
                continue
            sched = self.schedule(key, self.seqs[key])
            if sched is None:  # cannot happen for a route the search accepted
                raise ValueError(f"infeasible route {key}")
            for jid, s, e, tr, _k, _c in sched:
                ent = _Entry(s, e, jid, tr, fixed=bool(self.job_map[jid].fixed))
                routes[key[0]].entries.append(ent)
        for route in routes.values():
            route.entries.sort(key=lambda e: e.start)
        return routes


def search_routes(techs, jobs, routes, travel, until, seed=0, max_iterations=None):
    """Improve ``routes`` (the dispatcher's, e.g. of the best plan so far) by local
    search and ruin-and-recreate until ``until`` (monotonic), ``max_iterations``
    rounds or ``STALL`` rounds without a better plan; returns ``(routes, info)``."""
    search = RouteSearch(techs, jobs, routes, travel, seed=seed)
    start_cost = search.total()
    unplanned = sorted(search.unplanned, key=lambda j: (-search.miss_cost(j), str(j)))
    for jid in unplanned:
        search.try_insert(jid)
    moves = search.local_search(list(search.where) + sorted(search.unplanned, key=str), until)
    rounds = kept = last_best = 0
    best_cost, best = search.total(), search.snapshot()
    began, span = time.monotonic(), max(1e-9, until - time.monotonic())
    while (
        time.monotonic() < until
        and (max_iterations is None or rounds < max_iterations)
        and rounds - last_best < STALL
    ):
        # threshold acceptance: a round may cost up to SLACK minutes of travel more,
        # less and less towards the end; the best plan seen is the answer
        done = (time.monotonic() - began) / span
        if max_iterations:
            done = max(done, rounds / max_iterations)
        rounds += 1
        slack = int(SLACK * W_TRAVEL * max(0.0, 1.0 - done))
        kept += search.ruin_recreate(search.rng.randint(RUIN_MIN, RUIN_MAX), until, slack)
        cost = search.total()
        if cost < best_cost:
            best_cost, best, last_best = cost, search.snapshot(), rounds
    search.restore(best)
    info = {
        "search_moves": moves,
        "search_rounds": rounds,
        "search_kept": kept,
        "search_gain": start_cost - search.total(),
    }
    return search.to_routes(techs), info
