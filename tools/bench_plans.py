"""Maintenance-plan cron benchmark of ``make bench`` (imported by tools/bench.py).

For each size N (default 1,000 / 10,000 / 50,000 plans; ``--quick``: 1,000) it
measures, in the same process and database:

ours          N ``after_sales.plan`` (one ``after_sales.equipment`` each, monthly,
              ``date_start`` spread over the next 7 days, ``horizon_days`` 10: exactly
              one order due per plan), then ``after_sales.plan._cron_generate_orders()``.
create loop   the same N orders made one ``create()`` at a time:
              ``Order.create(plan._prepare_order_vals(due, None, False))`` for each
              plan, with the context of the cron's batch create (tracking off), on N
              archived plans of their own (so the cron never sees them). Measured up
              to ``--loop-max`` plans; bigger sizes are extrapolated from the largest
              measured run (the loop's cost per order does not fall with N).
OCA           OCA ``maintenance_plan`` (when installed, see tools/bench_prepare.py):
              N ``maintenance.plan`` (one ``maintenance.equipment`` each, monthly,
              start spread over the next 7 days, planning horizon 10 days: exactly one
              request due per plan), then ``maintenance.equipment._cron_generate_requests()``.
              That cron walks every active plan, so the plans of a finished round are
              archived before the next one. Measured up to ``--oca-plan-max`` plans;
              bigger sizes print "n/a (capped)".
floor         the floor for orders (``--no-order-floor`` skips it): the same N orders
              (the values of the create loop, with a name each and the defaults of
              the required fields) put in the database by Odoo's bare ORM insert,
              ``after_sales.order._create()``, with every computed field protected:
              no compute, no override of ours, no sequence; the cost of the fewest
              fields Odoo needs. On N archived plans of their own, measured up to
              ``--loop-max`` plans, flushed and rolled back. The row "ours/floor"
              gives our cron's time and CPU per order as a multiple of the floor's.

Each measure runs as the superuser on a fresh cursor, after an unmeasured warm-up,
and covers the call plus the final COMMIT (what ir.cron does after a job). Queries
are counted process-wide with ``odoo.sql_db.sql_counter``.

Targets (issue): at most 3 queries per generated order (amortised), at least 25x
OCA's requests per second (at 1,000 and 10,000 plans), and linear time: time(50,000) <= 5.5 x time(10,000)
(for other sizes: time(b)/time(a) <= 1.1 x b/a for the two largest sizes).
Only the query budget sets the exit status (1 when exceeded; 2 when our cron did
not create the expected orders); the others are reported.
"""

import cProfile
import io
import pstats
import sys
import time
import traceback
from datetime import timedelta

OCA_PLAN_MODULE = "maintenance_plan"
DEFAULT_SIZES = "1000,10000,50000"
QUICK_SIZES = "1000"
MAX_QUERIES_PER_ORDER = 3.0
MIN_SPEEDUP_VS_OCA = 25.0
# time(50k) <= 5.5 x time(10k): 10 % above proportional
LINEARITY_SLACK = 1.1
OURS = "ours"
LOOP = "loop"
OCA = "oca"
FLOOR = "floor"
# what the cron's batch create uses (after_sales.plan._create_plan_orders)
ORDER_CTX = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
SETUP_CTX = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
CREATE_CHUNK = 10000


def add_arguments(parser):
    group = parser.add_argument_group("maintenance-plan bench")
    group.add_argument(
        "--plan-sizes",
        default=None,
        help=f"comma-separated numbers of plans (default {DEFAULT_SIZES}; --quick: {QUICK_SIZES})",
    )
    group.add_argument(
        "--plan-warmup", type=int, default=50, help="plans per cron in the warm-up (50)"
    )
    group.add_argument(
        "--plan-batch-size",
        type=int,
        default=None,
        help="batch_size of our plan cron (its default)",
    )
    group.add_argument(
        "--loop-max",
        type=int,
        default=10000,
        help="largest N measured for the create() loop; bigger sizes are extrapolated "
        "(default 10000; 0: no create-loop baseline)",
    )
    group.add_argument(
        "--no-order-floor",
        action="store_true",
        help="skip the floor for orders (the same orders by Odoo's bare ORM insert)",
    )
    group.add_argument(
        "--oca-plan-max",
        type=int,
        default=10000,
        help="largest N run for OCA maintenance_plan (default 10000); bigger: n/a (capped)",
    )
    group.add_argument(
        "--plan-max-queries",
        type=float,
        default=MAX_QUERIES_PER_ORDER,
        help=f"query budget per order of our plan cron (default {MAX_QUERIES_PER_ORDER:g})",
    )
    group.add_argument(
        "--plan-min-speedup",
        type=float,
        default=MIN_SPEEDUP_VS_OCA,
        help=f"target of our orders/s over OCA's requests/s (default {MIN_SPEEDUP_VS_OCA:g})",
    )


def finish_arguments(parser, args):
    sizes = args.plan_sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    try:
        args.plan_sizes = [int(s) for s in str(sizes).split(",") if s.strip()]
    except ValueError:
        parser.error("--plan-sizes takes comma-separated integers")
    if not args.plan_sizes or min(args.plan_sizes) <= 0:
        parser.error("--plan-sizes needs positive integers")
    if args.quick:
        args.plan_warmup = min(args.plan_warmup, 20)


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def _fmt_rate(value):
    return f"{value:.1f}"


class PlanBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args
        self.today = bench.today
        self.serial = 0

    def env_cursor(self):
        return self.bench.env_cursor()

    # ------------------------------------------------------------------ setup

    def prepare(self):
        with self.env_cursor() as env:
            ctx_env = env(context=SETUP_CTX)
            partner_ids = getattr(self.bench, "partner_ids", None)
            if not partner_ids:
                partner_ids = (
                    ctx_env["res.partner"]
                    .create(
                        [
                            {"name": f"Bench Plan Customer {i:03d}"}
                            for i in range(self.args.customers)
                        ]
                    )
                    .ids
                )
            self.partner_ids = partner_ids
            self.product_id = (
                ctx_env["product.product"]
                .create({"name": "Bench Equipment", "type": "consu", "sale_ok": True})
                .id
            )
            self.oca_kind_id = None
            self.oca_version = ""

    def prepare_oca(self):
        with self.env_cursor() as env:
            module = env["ir.module.module"].search([("name", "=", OCA_PLAN_MODULE)])
            if module.state != "installed":
                return module.state or "unknown"
            self.oca_version = module.latest_version or ""
            # search first: a kept bench database (KEEP_DB) already has it
            kind = env["maintenance.kind"].search([("name", "=", "Bench Preventive")], limit=1)
            self.oca_kind_id = (kind or kind.create({"name": "Bench Preventive"})).id
            # a team, as a configured database has (the requests take the first one)
            if not env["maintenance.team"].search([], limit=1):
                env["maintenance.team"].create({"name": "Bench Team"})
            return "installed"

    def _start(self, i):
        return self.today + timedelta(days=i % 7)

    def create_ours(self, n, active=True):
        """N plans (one equipment each), monthly, one order due within the horizon."""
        self.serial += 1
        serial = self.serial
        ids = []
        for lo in range(0, n, CREATE_CHUNK):
            hi = min(n, lo + CREATE_CHUNK)
            with self.env_cursor() as env:
                ctx_env = env(context=SETUP_CTX)
                equipment = ctx_env["after_sales.equipment"].create(
                    [
                        {
                            "product_id": self.product_id,
                            "partner_id": self.partner_ids[i % len(self.partner_ids)],
                        }
                        for i in range(lo, hi)
                    ]
                )
                plans = ctx_env["after_sales.plan"].create(
                    [
                        {
                            "name": f"Bench plan {serial}-{i:05d}",
                            "equipment_id": equipment_id,
                            "date_start": self._start(i),
                            "interval_number": 1,
                            "interval_unit": "month",
                            "horizon_days": 10,
                            "active": active,
                        }
                        for i, equipment_id in zip(range(lo, hi), equipment.ids, strict=True)
                    ]
                )
                ids += plans.ids
        with self.env_cursor() as env:
            env.cr.execute(
                """SELECT count(*) FILTER (WHERE next_time_date IS DISTINCT FROM date_start
                                              OR next_generation_date > %s)
                     FROM after_sales_plan WHERE id = ANY(%s)""",
                [self.today, ids],
            )
            wrong = env.cr.fetchone()[0]
        if wrong:
            raise RuntimeError(
                f"{wrong} of our {n} plans are not due on their start within the horizon"
            )
        return ids

    def create_oca(self, n):
        """N OCA maintenance plans (one equipment each), monthly, one request due."""
        self.serial += 1
        serial = self.serial
        ids = []
        for lo in range(0, n, CREATE_CHUNK):
            hi = min(n, lo + CREATE_CHUNK)
            with self.env_cursor() as env:
                ctx_env = env(context=SETUP_CTX)
                equipment = ctx_env["maintenance.equipment"].create(
                    [{"name": f"Bench equipment {serial}-{i:05d}"} for i in range(lo, hi)]
                )
                plans = ctx_env["maintenance.plan"].create(
                    [
                        {
                            "name": f"Bench OCA plan {serial}-{i:05d}",
                            "equipment_id": equipment_id,
                            "maintenance_kind_id": self.oca_kind_id,
                            "interval": 1,
                            "interval_step": "month",
                            "start_maintenance_date": self._start(i),
                            "maintenance_plan_horizon": 10,
                            "planning_step": "day",
                        }
                        for i, equipment_id in zip(range(lo, hi), equipment.ids, strict=True)
                    ]
                )
                ids += plans.ids
        with self.env_cursor() as env:
            env.cr.execute(
                """SELECT count(*) FILTER (WHERE next_maintenance_date
                                                 IS DISTINCT FROM start_maintenance_date)
                     FROM maintenance_plan WHERE id = ANY(%s)""",
                [ids],
            )
            wrong = env.cr.fetchone()[0]
        if wrong:
            raise RuntimeError(f"{wrong} of the {n} OCA plans are not due on their start")
        return ids

    def archive_oca(self, ids):
        """OCA's cron walks every active plan: retire a finished round's plans."""
        with self.env_cursor() as env:
            env["maintenance.plan"].browse(ids).write({"active": False})

    # ------------------------------------------------------------------ runs

    def _max_id(self, env, table):
        env.cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed names
        return env.cr.fetchone()[0]

    def run(self, which, ids, measured=True):
        from odoo import sql_db  # noqa: PLC0415

        table = "maintenance_request" if which == OCA else "after_sales_order"
        with self.env_cursor() as env:
            before = self._max_id(env, table)
        profiler = cProfile.Profile() if self.args.profile and measured else None
        with self.env_cursor() as env:
            cr = env.cr
            if which == OURS:
                model = env["after_sales.plan"]
                kwargs = (
                    {"batch_size": self.args.plan_batch_size} if self.args.plan_batch_size else {}
                )

                def call():
                    model._cron_generate_orders(**kwargs)
            elif which == LOOP:
                Order = env["after_sales.order"].with_context(**ORDER_CTX)
                plans = env["after_sales.plan"].with_context(active_test=False).browse(ids)

                def call():
                    for plan in plans:
                        Order.create(plan._prepare_order_vals(plan.next_time_date, None, False))
            elif which == FLOOR:
                Order = env["after_sales.order"].with_context(**ORDER_CTX)
                plans = env["after_sales.plan"].with_context(active_test=False).browse(ids)
                data_list = floor_data(Order, plans)
                env.invalidate_all()
                floor_made = []

                def call():
                    floor_made.append(len(Order._create(data_list)))
            else:
                model = env["maintenance.equipment"]

                def call():
                    model._cron_generate_requests()

            with self.bench._commit_patch(env):
                q0, t0 = sql_db.sql_counter, time.perf_counter()
                c0 = time.process_time()
                if profiler:
                    profiler.enable()
                call()
                if which == FLOOR:
                    cr.flush()  # the floor's rows are rolled back below
                else:
                    cr.commit()  # what ir.cron does after a job
                seconds = time.perf_counter() - t0
                cpu = time.process_time() - c0
                queries = sql_db.sql_counter - q0
                if profiler:
                    profiler.disable()
                    self._print_profile(profiler, which, len(ids))
            if which == FLOOR:
                cr.rollback()
        if which == FLOOR:
            made = floor_made[0] if floor_made else 0
            problems = [] if made == len(ids) else [f"{made} inserted, {len(ids)} expected"]
        else:
            with self.env_cursor() as env:
                made, problems = self._check(env, which, before, ids)
        return {
            "which": which,
            "orders": made,
            "seconds": seconds,
            "cpu": cpu,
            "queries": queries,
            "ops": made / seconds if seconds else 0.0,
            "qpo": queries / made if made else float("inf"),
            "problems": problems,
        }

    def _print_profile(self, profiler, which, n):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(self.args.profile)
        say(f"----- profile of the plan run {which}, {n} plans (cumulative) -----")
        say(out.getvalue().rstrip())
        say(f"----- end of profile of {which} -----")

    def _check(self, env, which, before, ids):
        """(records created, [problems]): one per plan, on the plan's start date."""
        if which == OCA:
            query = """
                SELECT count(*), count(DISTINCT r.maintenance_plan_id),
                       count(*) FILTER (WHERE p.id IS NULL),
                       count(*) FILTER (WHERE r.request_date IS DISTINCT FROM
                                              p.start_maintenance_date)
                  FROM maintenance_request r
             LEFT JOIN maintenance_plan p
                    ON p.id = r.maintenance_plan_id AND p.id = ANY(%s)
                 WHERE r.id > %s"""
        else:
            query = """
                SELECT count(*), count(DISTINCT o.plan_id),
                       count(*) FILTER (WHERE p.id IS NULL),
                       count(*) FILTER (WHERE o.plan_date IS DISTINCT FROM p.date_start)
                  FROM after_sales_order o
             LEFT JOIN after_sales_plan p ON p.id = o.plan_id AND p.id = ANY(%s)
                 WHERE o.id > %s"""
        env.cr.execute(query, [ids, before])
        made, plans, foreign, wrong_date = env.cr.fetchone()
        problems = []
        if made != len(ids):
            problems.append(f"{made} created, {len(ids)} expected")
        if plans != made:
            problems.append(f"{made - plans} plans got more than one")
        if foreign:
            problems.append(f"{foreign} not linked to the plans of this round")
        if wrong_date:
            problems.append(f"{wrong_date} not on the plan's start date")
        if which == OURS:
            env.cr.execute(
                "SELECT count(*) FROM after_sales_plan WHERE id = ANY(%s) "
                "AND next_generation_date <= %s",
                [ids, self.today],
            )
            still_due = env.cr.fetchone()[0]
            if still_due:
                problems.append(f"{still_due} plans still due after the cron")
        return made, problems


def floor_data(Order, plans):
    """The data of ``Model._create`` for the floor: per plan, the values of the create
    loop's order (empty ones left out), a name, and the defaults of the required
    fields it lacks (looked up once); every field is protected, so nothing is
    computed."""
    required = [
        name
        for name, field in Order._fields.items()
        if field.store and field.required and field.column_type and name != "id"
    ]
    defaults = Order.default_get(required)
    protected = set(Order._fields.values())
    data_list = []
    for i, plan in enumerate(plans):
        vals = plan._prepare_order_vals(plan.next_time_date, None, False)
        stored = {**defaults, **{k: v for k, v in vals.items() if v not in (False, None)}}
        stored["name"] = f"FLOOR/{i:06d}"
        data_list.append({"stored": stored, "inherited": {}, "protected": protected})
    return data_list


# ----------------------------------------------------------------------------- main


def make_guard(failures):
    """A runner that returns func() or None when it raised, recording the failure
    of ``which`` in ``failures`` (so one broken measure does not stop the others)."""

    def guarded(which, tag, func):
        try:
            return func()
        except Exception as exc:  # noqa: BLE001 - report it, measure the rest
            traceback.print_exc()
            failures.append((which, f"{tag} {which}: {type(exc).__name__}: {exc}"))
            return None

    return guarded


def run(bench, args, fmt_table, oca_wanted=True):
    """The plan bench; prints its table, returns the exit status (0, 1 or 2)."""
    pb = PlanBench(bench, args)
    module = args.module
    failures = []

    guarded = make_guard(failures)

    try:
        pb.prepare()
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        print(f"\nCHECK FAILED: cannot set up the plan bench: {exc}")
        return 2
    oca_skip = ""
    oca = oca_wanted and not args.no_oca
    if not oca:
        oca_skip = "--no-oca"
    else:
        state = pb.prepare_oca()
        if state != "installed":
            oca = False
            oca_skip = (
                f"OCA module '{OCA_PLAN_MODULE}' is not installed in {args.database} ({state}): "
                "BENCH_OCA=0, or tools/bench_prepare.py could not fetch it (no network?)"
            )
    oca_name = f"OCA {OCA_PLAN_MODULE} {pb.oca_version}".strip()
    loop = args.loop_max > 0
    floor = loop and not args.no_order_floor
    say(
        f"bench.py: plans: {module} vs "
        + ("create() loop, " if loop else "")
        + (oca_name if oca else f"(no OCA: {oca_skip})")
        + f"; sizes {args.plan_sizes} (today {pb.today})"
    )

    if args.plan_warmup > 0:
        say(f"bench.py: plans: warm-up with {args.plan_warmup} plans per cron (not measured)")
        w = args.plan_warmup

        def warm(which, creator, after=None):
            ids = creator()
            res = pb.run(which, ids, measured=False)
            if after:
                after(ids)
            if res["problems"]:
                failures.append((which, f"warm-up {which}: {'; '.join(res['problems'])}"))

        guarded(OURS, "warm-up", lambda: warm(OURS, lambda: pb.create_ours(w)))
        if loop:
            guarded(LOOP, "warm-up", lambda: warm(LOOP, lambda: pb.create_ours(w, active=False)))
        if floor:
            guarded(FLOOR, "warm-up", lambda: warm(FLOOR, lambda: pb.create_ours(w, active=False)))
        if oca:
            guarded(OCA, "warm-up", lambda: warm(OCA, lambda: pb.create_oca(w), pb.archive_oca))

    results = []
    for n in args.plan_sizes:
        tag = f"N={n}"
        by_which = {}
        plan_runs = [(OURS, lambda n=n: pb.create_ours(n))]
        if loop and n <= args.loop_max:
            plan_runs.append((LOOP, lambda n=n: pb.create_ours(n, active=False)))
        if floor and n <= args.loop_max:
            plan_runs.append((FLOOR, lambda n=n: pb.create_ours(n, active=False)))
        if oca and n <= args.oca_plan_max:
            plan_runs.append((OCA, lambda n=n: pb.create_oca(n)))
        for which, creator in plan_runs:
            say(f"bench.py: plans {tag}: creating {n} plans for {LABELS[which]}")
            t0 = time.perf_counter()
            ids = guarded(which, tag, creator)
            if ids is None:
                continue
            say(f"bench.py:   created in {time.perf_counter() - t0:.1f} s")
            say(f"bench.py: plans {tag}: running {LABELS[which]}")
            res = guarded(which, tag, lambda w=which, i=ids: pb.run(w, i))
            if which == OCA:
                guarded(which, f"{tag} archiving", lambda i=ids: pb.archive_oca(i))
            if res is None:
                continue
            say(
                f"bench.py:   {res['orders']} created in {res['seconds']:.2f} s "
                f"({res['ops']:.1f}/s), {res['queries']} queries ({res['qpo']:.2f}/order)"
            )
            if res["problems"]:
                failures.append((which, f"{tag} {LABELS[which]}: {'; '.join(res['problems'])}"))
            by_which[which] = res
        results.append((n, by_which))

    print()
    print(
        f"Maintenance-plan cron: {module} vs "
        + ("create() loop and " if loop else "")
        + (oca_name if oca else "OCA skipped")
        + f" -- db {args.database}"
    )
    print(
        "each plan: its own equipment, monthly, start spread over the next 7 days, horizon "
        "10 days: one order/request due per plan; create loop: one create() per order, "
        "cron's context (tracking off), measured up to "
        f"N={args.loop_max}, extrapolated above; OCA capped at N={args.oca_plan_max}; "
        + ("our per-batch commits patched to flushes" if args.no_commit else "real commits")
    )
    print()
    over_budget = report(results, args, module, oca_name, oca, loop, fmt_table)
    if not oca:
        print(f"OCA comparison skipped: {oca_skip}")
    if failures:
        print()
        for _which, failure in failures:
            print(f"CHECK FAILED: {failure}")
    if any(which == OURS for which, _msg in failures):
        return 2
    return 1 if over_budget else 0


LABELS = {
    OURS: "our cron",
    LOOP: "the create() loop",
    OCA: "OCA's cron",
    FLOOR: "the floor for orders (bare ORM insert)",
}


def _row(n, name, res, extra=""):
    return [
        n,
        name + extra,
        res["orders"],
        f"{res['seconds']:.2f}",
        f"{res['ops']:.1f}",
        res["queries"],
        f"{res['qpo']:.2f}",
        f"{res['cpu']:.2f}",
    ]


def _ratio_row(n, name, ours, other, approx=""):
    return [
        n,
        name,
        "",
        f"{approx}{ours['seconds'] / other['seconds']:.3f}x" if other["seconds"] else "",
        f"{approx}{ours['ops'] / other['ops']:.1f}x" if other["ops"] else "",
        "",
        f"{approx}{ours['qpo'] / other['qpo']:.3f}x" if other["qpo"] else "",
        f"{approx}{ours['cpu'] / other['cpu']:.3f}x" if other["cpu"] else "",
    ]


def report(results, args, module, oca_name, oca, loop, fmt_table):
    header = ["N", "cron", "orders", "seconds", "orders/s", "queries", "queries/order", "cpu s"]
    rows = [header]
    loop_ref = None  # largest measured create-loop run, for the extrapolation
    oca_ref = None  # largest measured OCA run
    lines = []
    over_budget = False
    for n, by_which in results:
        ours, lp, oc = by_which.get(OURS), by_which.get(LOOP), by_which.get(OCA)
        if lp and lp["orders"]:
            loop_ref = lp
        if oc and oc["orders"]:
            oca_ref = oc
        if ours:
            rows.append(_row(n, f"{module} cron", ours))
        if lp:
            rows.append(_row(n, "create() loop", lp))
        elif loop and n > args.loop_max and loop_ref:
            # the loop's cost per order does not fall with N: scale the largest run
            est = dict(loop_ref)
            est["orders"] = n
            est["seconds"] = loop_ref["seconds"] * n / loop_ref["orders"]
            est["cpu"] = loop_ref["cpu"] * n / loop_ref["orders"]
            est["queries"] = round(loop_ref["qpo"] * n)
            rows.append(
                [
                    n,
                    f"create() loop (extrapolated from N={loop_ref['orders']})",
                    f"~{n}",
                    f"~{est['seconds']:.0f}",
                    f"~{est['ops']:.1f}",
                    f"~{est['queries']}",
                    f"~{est['qpo']:.2f}",
                    f"~{est['cpu']:.0f}",
                ]
            )
            lp = est
        elif loop:
            rows.append([n, "create() loop", "n/a", "", "", "", "", ""])
        fl = by_which.get(FLOOR)
        if fl:
            rows.append(_row(n, "floor: after_sales.order._create", fl))
        if oc:
            rows.append(_row(n, oca_name, oc))
        elif oca:
            rows.append([n, oca_name, "n/a (capped)", "", "", "", "", ""])
        if ours and lp:
            approx = "" if lp is by_which.get(LOOP) else "~"
            rows.append(_ratio_row(n, "ratio ours/create loop", ours, lp, approx))
        if ours and oc:
            rows.append(_ratio_row(n, "ratio ours/OCA", ours, oc))
        if ours and fl:
            rows.append(_ratio_row(n, "ratio ours/floor", ours, fl))
            if fl["orders"] and ours["orders"] and fl["cpu"]:
                lines.append(
                    f"N={n}: floor   ours at {100 * ours['ops'] / fl['ops']:.0f} % of the "
                    f"floor's orders/s, {ours['cpu'] / ours['orders'] * 1000:.2f} ms CPU/order "
                    f"= {ours['cpu'] / fl['cpu']:.1f}x the floor's "
                    f"({fl['cpu'] / fl['orders'] * 1000:.2f} ms; info)"
                )
        if ours:
            ok = ours["qpo"] <= args.plan_max_queries
            over_budget |= not ok
            lines.append(
                f"N={n}: budget  ours <= {args.plan_max_queries:g} queries/order: "
                f"{'OK  ' if ok else 'FAIL'} ({ours['qpo']:.2f})"
            )
            if oc and oc["ops"]:
                speed = ours["ops"] / oc["ops"]
                ok = speed >= args.plan_min_speedup
                lines.append(
                    f"N={n}: target  ours >= {args.plan_min_speedup:g}x OCA requests/s: "
                    f"{'OK  ' if ok else 'MISS'} ({speed:.1f}x)"
                )
            elif oca and oca_ref and oca_ref["ops"]:
                speed = ours["ops"] / oca_ref["ops"]
                ok = speed >= args.plan_min_speedup
                lines.append(
                    f"N={n}: target  ours >= {args.plan_min_speedup:g}x OCA requests/s: "
                    f"{'OK  ' if ok else 'MISS'} ({speed:.1f}x OCA's rate at "
                    f"N={oca_ref['orders']}; OCA capped, and it slows down as plans grow)"
                )
    print(fmt_table(rows, ["<", "<", ">", ">", ">", ">", ">", ">"]))
    print()
    print("\n".join(lines))
    timed = [(n, bw[OURS]) for n, bw in results if bw.get(OURS) and bw[OURS]["orders"]]
    timed.sort(key=lambda t: t[0])
    if len(timed) >= 2:
        (na, ra), (nb, rb) = timed[-2], timed[-1]
        if nb > na:
            ratio = rb["seconds"] / ra["seconds"] if ra["seconds"] else float("inf")
            limit = LINEARITY_SLACK * nb / na
            ok = ratio <= limit
            print(
                f"linearity: ours time(N={nb}) / time(N={na}) = {ratio:.2f} for {nb / na:g}x "
                f"the plans (target <= {limit:.2f}): {'OK  ' if ok else 'MISS'}"
            )
    oca_runs = [(n, bw[OCA]) for n, bw in results if bw.get(OCA)]
    if oca_runs:
        print(
            "OCA by size: "
            + "; ".join(
                f"N={n}: {r['ops']:.1f} requests/s, {r['qpo']:.2f} queries/request"
                for n, r in oca_runs
            )
        )
    return over_budget
