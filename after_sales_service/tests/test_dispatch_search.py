"""The dispatcher's routing-aware local search (models/dispatch_search.py): pure
Python, no database.

Every move (insert, replace, relocate, exchange, 2-opt*, ruin and recreate) keeps
the plan sound by ``check_plan`` and strictly lowers the search's objective (a
ruin-and-recreate round with no slack: never raises it); a hand-checked case where
the search undoes crossed routes; the same seed gives the same plan."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from odoo.addons.after_sales_service.models import dispatch, dispatch_search
from odoo.addons.after_sales_service.models.dispatch import Job, Technician

H = 60
DAY = dispatch.DAY
P = (52.0, 5.0)
WORKDAY = [(8 * H, 12 * H), (12 * H + 30, 17 * H)]


def north(km):
    return (P[0] + km / 111.195, P[1])


def greedy_routes(techs, jobs):
    _tm, _jm, travel, routes = dispatch._setup(techs, jobs, dispatch.DEFAULT_SPEED_KMH, None)
    dispatch._greedy_fill(techs, jobs, travel, routes)
    return routes, travel


def plan_of(search, techs, jobs):
    return dispatch._build_plan(techs, jobs, search.to_routes(techs), search.travel, "search", 0.0)


@st.composite
def instances(draw):
    point = st.one_of(st.none(), st.tuples(st.floats(52.0, 52.3), st.floats(5.0, 5.4)))
    zone = st.sampled_from([None, "N", "S"])
    skills = st.dictionaries(st.sampled_from(["a", "b"]), st.integers(1, 2), max_size=2)
    techs = []
    for t in range(draw(st.integers(1, 3))):
        intervals = []
        for d in draw(st.lists(st.integers(0, 1), min_size=1, max_size=2, unique=True)):
            intervals.append((d * DAY + 8 * H, d * DAY + 12 * H))
            if draw(st.booleans()):  # the afternoon after lunch
                intervals.append((d * DAY + 12 * H + 30, d * DAY + 17 * H))
        techs.append(Technician(f"T{t}", draw(skills), intervals, draw(point), draw(zone)))
    jobs = []
    for j in range(draw(st.integers(1, 12))):
        window = None
        if draw(st.booleans()):
            lo = draw(st.integers(0, 2 * DAY))
            window = (lo, lo + draw(st.integers(0, 300)))
        fixed = None
        if j == 0 and draw(st.booleans()):
            fixed = ("T0", techs[0].intervals[0][0] + 30)
        jobs.append(
            Job(
                f"J{j}",
                draw(st.sampled_from([15, 30, 60, 120, 240])),
                draw(skills),
                window,
                draw(st.one_of(st.none(), st.integers(0, 2 * DAY))),
                draw(st.integers(0, 3)),
                draw(point),
                draw(zone),
                fixed,
            )
        )
    return techs, jobs


@tagged("post_install", "-at_install")
class TestDispatchSearch(BaseCase):
    def assertConsistent(self, search):
        """The cached cost of every route is the cost of its sequence."""
        for key, seq in search.seqs.items():
            if key not in search.frozen:
                self.assertEqual(search.cost[key], search.evaluate(key, seq), key)

    @settings(
        max_examples=80,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(instances())
    def test_every_move_keeps_the_plan_sound(self, instance):
        techs, jobs = instance
        routes, travel = greedy_routes(techs, jobs)
        search = dispatch_search.RouteSearch(techs, jobs, routes, travel, seed=1)
        self.assertEqual(dispatch.check_plan(techs, jobs, plan_of(search, techs, jobs)), [])
        moves = (
            "try_insert",
            "try_replace",
            "try_relocate",
            "try_exchange",
            "try_two_opt_star",
        )
        for _round in range(2):
            for job in jobs:
                for name in moves:
                    planned = job.id in search.where
                    if name in ("try_insert", "try_replace") and planned:
                        continue
                    if name not in ("try_insert", "try_replace") and (
                        not planned or not search.movable(job.id)
                    ):
                        continue
                    before = search.total()
                    if not getattr(search, name)(job.id):
                        self.assertEqual(search.total(), before, name)
                        continue
                    self.assertLess(search.total(), before, name)
                    self.assertConsistent(search)
                    plan = plan_of(search, techs, jobs)
                    self.assertEqual(dispatch.check_plan(techs, jobs, plan), [], name)
        before = search.total()
        search.ruin_recreate(4, float("inf"))
        self.assertLessEqual(search.total(), before)
        self.assertConsistent(search)
        plan = plan_of(search, techs, jobs)
        self.assertEqual(dispatch.check_plan(techs, jobs, plan), [])
        # fixed jobs keep their technician and start
        for a in plan.assignments:
            job = next(j for j in jobs if j.id == a.job_id)
            if job.fixed:
                self.assertEqual((a.technician_id, a.start), job.fixed)

    def test_crossed_routes_are_undone(self):
        """Each technician was given the jobs near the other one's home; the search
        hands them over (travel from 4 x ~33 min to 2 x 5 + 2 x 0 ... a few)."""
        techs = [
            Technician("S", {}, WORKDAY, north(0)),
            Technician("N", {}, WORKDAY, north(40)),
        ]
        jobs = [
            Job("S1", 60, location=north(1)),
            Job("S2", 60, location=north(2)),
            Job("N1", 60, location=north(41)),
            Job("N2", 60, location=north(42)),
        ]
        _tm, _jm, travel, routes = dispatch._setup(techs, jobs, dispatch.DEFAULT_SPEED_KMH, None)
        for tech_id, job_ids in (("S", ["N1", "N2"]), ("N", ["S1", "S2"])):
            for job_id in job_ids:
                job = next(j for j in jobs if j.id == job_id)
                cand = next(dispatch._candidates(routes[tech_id], job, travel))
                dispatch._insert(routes[tech_id], job, cand[0], cand[1], cand[2], travel)
        crossed = dispatch._build_plan(techs, jobs, routes, travel, "crossed", 0.0)
        self.assertEqual(crossed.stats["hard_violations"], 0)
        found, info = dispatch_search.search_routes(
            techs, jobs, routes, travel, float("inf"), seed=0, max_iterations=5
        )
        plan = dispatch._build_plan(techs, jobs, found, travel, "search", 0.0)
        self.assertEqual(dispatch.check_plan(techs, jobs, plan), [])
        by_job = {a.job_id: a.technician_id for a in plan.assignments}
        self.assertEqual(by_job, {"S1": "S", "S2": "S", "N1": "N", "N2": "N"})
        self.assertLess(plan.stats["travel"], crossed.stats["travel"] / 4)
        self.assertEqual(info["search_rounds"], 5)

    def test_lunch_where_the_technician_is(self):
        """After lunch the travel is from the morning's last job, not from home: the
        search keeps the two jobs next to each other around the break."""
        techs = [Technician("A", {}, WORKDAY, north(0))]
        jobs = [
            Job("AM", 200, location=north(30), window=(8 * H, 9 * H)),
            Job("PM", 120, location=north(30), window=(12 * H + 30, 14 * H)),
        ]
        routes, travel = greedy_routes(techs, jobs)
        found, _info = dispatch_search.search_routes(
            techs, jobs, routes, travel, float("inf"), max_iterations=3
        )
        plan = dispatch._build_plan(techs, jobs, found, travel, "search", 0.0)
        self.assertEqual(dispatch.check_plan(techs, jobs, plan), [])
        pm = next(a for a in plan.assignments if a.job_id == "PM")
        self.assertEqual((pm.travel_before, pm.start), (0, 12 * H + 30))

    def test_same_seed_same_plan(self):
        techs = [Technician(f"T{t}", {"a": 1 + t % 2}, WORKDAY, north(10 * t)) for t in range(3)]
        jobs = [
            Job(
                f"J{j:02d}",
                30 + 15 * (j % 4),
                {"a": 1 + j % 2},
                deadline=(j % 3) * 4 * H + 10 * H,
                priority=j % 3,
                location=north((j * 7) % 40),
            )
            for j in range(24)
        ]
        runs = []
        for _run in range(2):
            routes, travel = greedy_routes(techs, jobs)
            found, _info = dispatch_search.search_routes(
                techs, jobs, routes, travel, float("inf"), seed=3, max_iterations=20
            )
            plan = dispatch._build_plan(techs, jobs, found, travel, "search", 0.0)
            self.assertEqual(dispatch.check_plan(techs, jobs, plan), [])
            runs.append([(a.job_id, a.technician_id, a.start) for a in plan.assignments])
        self.assertEqual(runs[0], runs[1])

    def test_optimiser_uses_the_search(self):
        techs = [Technician("S", {}, WORKDAY, north(0)), Technician("N", {}, WORKDAY, north(40))]
        jobs = [Job(f"J{k}", 60, location=north(k * 8)) for k in range(6)]
        plan = dispatch.plan_optimised(techs, jobs, time_limit_s=2, search_rounds=5)
        self.assertEqual(dispatch.check_plan(techs, jobs, plan), [])
        self.assertEqual(plan.stats["planned"], 6)
        plain = dispatch.plan_optimised(techs, jobs, time_limit_s=2, search=False)
        self.assertNotIn("search_rounds", plain.stats)
        self.assertLessEqual(plan.stats["travel"], plain.stats["travel"])
