"""KPI dashboard bench of ``make bench`` (imported by tools/bench.py, ``--only kpi``).

Data (not measured, committed into the throwaway bench database): service orders and
claims over the last two years, written with ``INSERT ... SELECT generate_series``
(seconds for 200,000 rows): one unit of installed base per 10 orders, 200 customers,
orders of the corrective and preventive service types on random units at random
days, ~90 % done (started 0-7 h after being received, done 1-40 h later, SLA
deadlines of 4 h / 24 h and their results), the rest cancelled, new or in progress; one claim per 4 orders (states
new to closed, a refusal reason on the rejected ones). Sizes (``--kpi-sizes``,
default 50000,200000 orders; ``--quick``: 20000): the data grows from one size to
the next, so that the same code is timed on both.

ours      ``after_sales.kpi.get_kpis`` for the last 365 days (so also the 365 days
          before, for the trends), as the admin user (a service manager, record rules
          on): every figure of every installed KPI file, aggregated in SQL;
baseline  a Python loop over the same records, done with the ORM as one would
          without aggregates: ``search`` the done orders of each period and loop
          over them for orders done, SLA attainment (met / met + missed), mean
          response hours (received -> started), MTTR (received -> done) and
          first-time fix (corrective done orders of a unit with no other order of
          the same type received in the 30 days after), and ``search``
          the claims of the period (not refused) and the active units delivered by
          its end for claims per 1,000 units.
          Then the other figures about orders and claims in the same way: repeat
          visits, failure-free days, refusal rate, corrective orders per 1,000
          units, repeat failure rate and MTBF (the orders received in the period
          and the history of their units, each record's fields read once into
          tuples). 12 figures of both periods (ours: all 19), each compared with
          ours (exit 2 when one differs).

Each measure runs on a fresh cursor after an unmeasured warm-up call (ormcaches
filled alike); ours is the best of 3 calls. Queries are counted process-wide with
``odoo.sql_db.sql_counter``. Target: ours >= ``--kpi-min-speedup`` (20) x faster
than the baseline, and the same number of queries at every size; exit status 1
when missed, 2 when the bench cannot run or the baseline and ours disagree on the
number of orders done.
"""

import sys
import time
import traceback
from collections import defaultdict
from datetime import datetime, timedelta

DEFAULT_SIZES = "50000,200000"
QUICK_SIZES = "20000"
MIN_SPEEDUP = 20.0
ORDERS_PER_UNIT = 10
ORDERS_PER_CLAIM = 4
CUSTOMERS = 200
PERIOD_DAYS = 365
REPEAT_DAYS = 30


def add_arguments(parser):
    parser.add_argument(
        "--kpi-sizes",
        default=None,
        help="numbers of service orders, growing (default 50000,200000; --quick: 20000)",
    )
    parser.add_argument(
        "--kpi-min-speedup",
        type=float,
        default=MIN_SPEEDUP,
        help="ours must be this many times faster than the Python loop (default 20)",
    )


def finish_arguments(parser, args):
    sizes = args.kpi_sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    try:
        args.kpi_sizes = sorted(int(s) for s in str(sizes).split(",") if s.strip())
    except ValueError:
        parser.error("--kpi-sizes takes comma-separated integers")
    if not args.kpi_sizes or min(args.kpi_sizes) <= 0:
        parser.error("--kpi-sizes needs positive integers")


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class KpiBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args
        self.orders = 0
        self.claims = 0
        self.units = 0

    # ------------------------------------------------------------------
    # Data
    # ------------------------------------------------------------------
    def prepare(self):
        """Customers, a product, the admin as service manager (committed)."""
        with self.bench.env_cursor() as env:
            ctx = {"tracking_disable": True, "mail_create_nolog": True}
            env = env(context=ctx)
            self.company_id = env.company.id
            partners = env["res.partner"].create(
                [{"name": f"KPI Customer {i:03d}", "is_company": True} for i in range(CUSTOMERS)]
            )
            self.partner_ids = partners.ids
            product = env["product.product"].create(
                {"name": "Bench KPI Machine", "is_storable": True, "tracking": "serial"}
            )
            self.product_id = product.id
            self.type_ids = [
                env.ref("after_sales_service.service_type_corrective").id,
                env.ref("after_sales_service.service_type_preventive").id,
            ]
            reason = env["after_sales.reject.reason"].search([], limit=1)
            self.reject_reason_id = reason.id or None
            admin = env.ref("base.user_admin")
            manager = env.ref("after_sales_service.group_manager")
            if manager not in admin.group_ids:
                admin.group_ids = [(4, manager.id)]
            admin.tz = "UTC"
            self.user_id = admin.id

    def grow(self, orders):
        """Insert orders (and their units and claims) up to ``orders`` in total."""
        units = orders // ORDERS_PER_UNIT
        claims = orders // ORDERS_PER_CLAIM
        with self.bench.env_cursor() as env:
            cr = env.cr
            common = {
                "company": self.company_id,
                "uid": self.user_id,
                "partners": self.partner_ids,
                "product": self.product_id,
            }
            if units > self.units:
                cr.execute(
                    """
                    INSERT INTO after_sales_equipment
                        (name, company_id, partner_id, product_id, delivery_date, active,
                         create_uid, write_uid, create_date, write_date)
                    SELECT 'KPI-UNIT-' || g, %(company)s,
                           (%(partners)s::int[])[1 + g %% array_length(%(partners)s::int[], 1)],
                           %(product)s,
                           (now() at time zone 'utc')::date - 900 + (g %% 150),
                           TRUE, %(uid)s, %(uid)s, now() at time zone 'utc',
                           now() at time zone 'utc'
                      FROM generate_series(%(first)s, %(last)s) g
                    """,
                    {**common, "first": self.units + 1, "last": units},
                )
                cr.execute(
                    "SELECT id FROM after_sales_equipment WHERE name LIKE 'KPI-UNIT-%%' ORDER BY id"
                )
                self.unit_ids = [row[0] for row in cr.fetchall()]
                self.units = units
            # orders: random units, spread over 730 days back from now, 3 of 4
            # corrective; 0-7 h to start, 1-40 h of work (some SLA missed)
            cr.execute("SELECT setseed(%s)", [0.42 * self.orders / max(orders, 1)])
            cr.execute(
                """
                INSERT INTO after_sales_order
                    (name, company_id, service_type_id, partner_id, equipment_id, priority,
                     date_received, state, date_started, date_done, response_deadline,
                     resolution_deadline, sla_response_result, sla_resolution_result,
                     sla_late_hours, coverage_source,
                     create_uid, write_uid, create_date, write_date)
                SELECT 'KPI/' || r.g, %(company)s,
                       CASE WHEN r.g %% 4 = 0 THEN %(preventive)s ELSE %(corrective)s END,
                       e.partner_id, e.id, (r.g %% 4)::varchar,
                       r.received,
                       CASE WHEN r.g %% 20 = 0 THEN 'cancelled'
                            WHEN r.g %% 20 = 1 AND r.age < 10 THEN 'in_progress'
                            WHEN r.g %% 20 = 2 AND r.age < 10 THEN 'new'
                            ELSE 'done' END,
                       r.started, r.done,
                       r.received + interval '4 hours', r.received + interval '24 hours',
                       CASE WHEN r.started <= r.received + interval '4 hours'
                            THEN 'met' ELSE 'missed' END,
                       CASE WHEN r.done <= r.received + interval '24 hours'
                            THEN 'met' ELSE 'missed' END,
                       0, 'none',
                       %(uid)s, %(uid)s, r.received, r.done
                  FROM (
                       SELECT a.*,
                              a.received + make_interval(hours => a.g %% 8) AS started,
                              a.received + make_interval(hours => a.g %% 8)
                                  + make_interval(secs => a.work * 3600) AS done
                         FROM (
                              SELECT g, age,
                                     (now() at time zone 'utc')
                                         - make_interval(days => age, hours => g %% 24) AS received,
                                     1 + random() * 39 AS work,
                                     unit_id
                                FROM (
                                     SELECT g, floor(random() * 730)::int AS age,
                                            (%(units)s::int[])[1 + floor(random() *
                                                array_length(%(units)s::int[], 1))::int] AS unit_id
                                       FROM generate_series(%(first)s, %(last)s) g
                                     ) b
                              ) a
                       ) r
                  JOIN after_sales_equipment e ON e.id = r.unit_id
                """,
                {
                    **common,
                    "first": self.orders + 1,
                    "last": orders,
                    "units": self.unit_ids,
                    "corrective": self.type_ids[0],
                    "preventive": self.type_ids[1],
                },
            )
            # orders not done have no dates of work
            cr.execute(
                """
                UPDATE after_sales_order
                   SET date_done = NULL, sla_resolution_result = NULL,
                       date_started = CASE WHEN state = 'in_progress' THEN date_started END,
                       sla_response_result = CASE WHEN state = 'in_progress'
                                                  THEN sla_response_result END
                 WHERE name LIKE 'KPI/%%' AND state != 'done' AND date_done IS NOT NULL
                """
            )
            cr.execute(
                """
                INSERT INTO after_sales_claim
                    (name, company_id, partner_id, channel, date_received, priority, state,
                     product_id, equipment_id, service_type_id, reject_reason_id,
                     date_rejected, create_uid, write_uid, create_date, write_date)
                SELECT 'KPI-CLM/' || r.g, %(company)s, e.partner_id, 'phone', r.received,
                       (r.g %% 4)::varchar,
                       (ARRAY['new', 'review', 'accepted', 'rejected', 'resolved',
                              'closed'])[1 + r.g %% 6],
                       %(product)s, e.id, %(corrective)s,
                       CASE WHEN r.g %% 6 = 3 THEN %(reason)s END,
                       CASE WHEN r.g %% 6 = 3 THEN r.received + interval '2 days' END,
                       %(uid)s, %(uid)s, r.received, r.received
                  FROM (
                       SELECT g, (now() at time zone 'utc') - make_interval(
                                  days => floor(random() * 730)::int, hours => g %% 24) AS received,
                              (%(units)s::int[])[1 + floor(random() *
                                  array_length(%(units)s::int[], 1))::int] AS unit_id
                         FROM generate_series(%(first)s, %(last)s) g
                       ) r
                  JOIN after_sales_equipment e ON e.id = r.unit_id
                """,
                {
                    **common,
                    "first": self.claims + 1,
                    "last": claims,
                    "units": self.unit_ids,
                    "corrective": self.type_ids[0],
                    "reason": self.reject_reason_id,
                },
            )
            cr.execute("ANALYZE after_sales_order")
            # the reliability facts stored on the orders, as the ORM keeps them when
            # orders are created and closed (one statement for the whole company)
            started = time.perf_counter()
            env["after_sales.order"]._kpi_refresh_facts(company_ids=[self.company_id])
            say(
                f"  stored the reliability facts of {orders} orders in "
                f"{time.perf_counter() - started:.1f} s"
            )
            cr.execute("ANALYZE after_sales_order")
            cr.execute("ANALYZE after_sales_claim")
            cr.execute("ANALYZE after_sales_equipment")
        self.orders = orders
        self.claims = claims

    # ------------------------------------------------------------------
    # Measures
    # ------------------------------------------------------------------
    def periods(self, env):
        from odoo import fields  # noqa: PLC0415

        today = fields.Date.context_today(env.user)
        date_from = today - timedelta(days=PERIOD_DAYS - 1)
        previous_to = date_from - timedelta(days=1)
        previous_from = previous_to - timedelta(days=PERIOD_DAYS - 1)
        return [(date_from, today), (previous_from, previous_to)]

    def measure(self, function, rounds=1):
        from odoo import sql_db  # noqa: PLC0415

        best = None
        with self.bench.env_cursor() as env:
            env = env(user=self.user_id)
            try:
                function(env)  # warm-up
                for _round in range(rounds):
                    env.invalidate_all()
                    q0, t0 = sql_db.sql_counter, time.perf_counter()
                    result = function(env)
                    seconds = time.perf_counter() - t0
                    queries = sql_db.sql_counter - q0
                    if best is None or seconds < best[0]:
                        best = (seconds, queries, result)
            finally:
                env.cr.rollback()
        return best

    def ours(self, env):
        (date_from, date_to), _previous = self.periods(env)
        result = env["after_sales.kpi"].get_kpis(str(date_from), str(date_to))
        return {figure["key"]: figure["value"] for figure in result["kpis"]}

    def baseline(self, env):
        return [self._baseline_period(env, *period) for period in self.periods(env)]

    def _baseline_period(self, env, date_from, date_to):
        kpi = env["after_sales.kpi"]
        start, stop = kpi._kpi_bounds(date_from, date_to)
        company_ids = env.companies.ids
        Order = env["after_sales.order"]
        done = Order.search(
            [
                ("company_id", "in", company_ids),
                ("state", "=", "done"),
                ("date_done", ">=", start),
                ("date_done", "<", stop),
            ]
        )
        count = met = missed = 0
        response = response_n = repair = repair_n = 0.0
        for order in done:
            count += 1
            if order.sla_resolution_result == "met":
                met += 1
            elif order.sla_resolution_result == "missed":
                missed += 1
            if order.date_started:
                response += (order.date_started - order.date_received).total_seconds() / 3600
                response_n += 1
            repair += (order.date_done - order.date_received).total_seconds() / 3600
            repair_n += 1
        # first-time fix: the later orders of the same units
        later = Order.search(
            [
                ("company_id", "in", company_ids),
                ("state", "!=", "cancelled"),
                ("equipment_id", "!=", False),
                ("date_received", ">", start),
                ("date_received", "<=", stop + timedelta(days=REPEAT_DAYS)),
            ]
        )
        received = defaultdict(list)
        for order in later:
            received[(order.equipment_id.id, order.service_type_id.id)].append(
                (order.date_received, order.id)
            )
        corrective = fixed = 0
        for order in done:
            if not order.equipment_id or order.service_type_id.code != "corrective":
                continue
            corrective += 1
            limit = order.date_done + timedelta(days=REPEAT_DAYS)
            if not any(
                other_id != order.id and order.date_done < when <= limit
                for when, other_id in received[(order.equipment_id.id, order.service_type_id.id)]
            ):
                fixed += 1
        # repeat visits: an unplanned order of the unit within 30 days after
        by_unit = defaultdict(list)
        for order in later:
            by_unit[order.equipment_id.id].append((order.date_received, order.plan_id.id))
        visits = repeated = 0
        for order in done:
            if not order.equipment_id:
                continue
            visits += 1
            limit = order.date_done + timedelta(days=REPEAT_DAYS)
            if any(
                order.date_done < when <= limit and not plan_id
                for when, plan_id in by_unit[order.equipment_id.id]
            ):
                repeated += 1
        # the orders received in the period: refusals, corrective orders, repeat
        # failures and failure-free days
        received_orders = Order.search(
            [
                ("company_id", "in", company_ids),
                ("date_received", ">=", start),
                ("date_received", "<", stop),
            ]
        )
        corrective_type = env.ref("after_sales_service.service_type_corrective")
        refused = 0
        failures = []
        type_corrective = []
        for order in received_orders:
            if order.reject_reason_id:
                refused += 1
            if order.state == "cancelled" or not order.equipment_id:
                continue
            if order.service_type_id.code == "corrective":
                failures.append(order)
            if order.service_type_id == corrective_type:
                type_corrective.append(order)
        history = Order.search(
            [
                ("equipment_id", "in", list({o.equipment_id.id for o in failures})),
                ("state", "!=", "cancelled"),
                ("date_received", "<", stop),
            ]
        )
        # each record's fields read once, into tuples (a fair loop, not an ORM
        # attribute access per comparison)
        unit_history = defaultdict(list)
        for order in history:
            unit_history[order.equipment_id.id].append(
                (
                    order.id,
                    order.company_id.id,
                    order.service_type_id.id,
                    order.service_type_id.code == "corrective",
                    order.state,
                    order.date_received,
                    order.date_done,
                )
            )
        free_days = []
        for order in failures:
            received_at = order.date_received
            previous = [
                other_done
                for other_id, _c, _t, is_corrective, state, _r, other_done in unit_history[
                    order.equipment_id.id
                ]
                if other_id != order.id
                and state == "done"
                and is_corrective
                and other_done <= received_at
            ]
            since = max(previous) if previous else order.equipment_id.delivery_date
            if since:
                if not previous:
                    since = datetime.combine(since, datetime.min.time())
                free_days.append((received_at - since).total_seconds() / 86400)
        repeat_units = set()
        for order in type_corrective:
            key = (order.date_received, order.id)
            company_id, type_id = order.company_id.id, order.service_type_id.id
            earliest = order.date_received - timedelta(
                days=order.company_id.after_sales_repeat_days or 30
            )
            if any(
                other_company == company_id
                and other_type == type_id
                and (other_received, other_id) < key
                and other_received >= earliest
                for other_id, other_company, other_type, _x, _s, other_received, _d in (
                    unit_history[order.equipment_id.id]
                )
            ):
                repeat_units.add(order.equipment_id.id)
        corrective_units = {order.equipment_id.id for order in type_corrective}
        claims = env["after_sales.claim"].search(
            [
                ("company_id", "in", company_ids),
                ("date_received", ">=", start),
                ("date_received", "<", stop),
            ]
        )
        claim_count = claims_received = claims_rejected = 0
        for claim in claims:
            claims_received += 1
            if claim.state == "rejected":
                claims_rejected += 1
            elif claim.product_id:
                claim_count += 1
        units = operating_days = 0
        unit_ids = set()
        for unit in env["after_sales.equipment"].search(
            [("company_id", "in", company_ids), ("delivery_date", "<=", date_to)]
        ):
            units += 1
            unit_ids.add(unit.id)
            operating_days += (date_to - max(unit.delivery_date, date_from)).days + 1
        repairs = sum(
            1
            for order in done
            if order.service_type_id == corrective_type and order.equipment_id.id in unit_ids
        )
        return {
            "orders_done": float(count),
            "sla_attainment": kpi._kpi_ratio(met, met + missed),
            "response_hours": kpi._kpi_ratio(response, response_n, 1.0),
            "mttr_hours": kpi._kpi_ratio(repair, repair_n, 1.0),
            "first_time_fix_rate": kpi._kpi_ratio(fixed, corrective),
            "repeat_visit_rate": kpi._kpi_ratio(repeated, visits),
            "failure_free_days": (sum(free_days) / len(free_days)) if free_days else None,
            "refusal_rate": kpi._kpi_ratio(
                refused + claims_rejected, len(received_orders) + claims_received
            ),
            "claims_per_1000": kpi._kpi_ratio(claim_count, units, 1000.0),
            "corrective_per_1000": kpi._kpi_ratio(len(type_corrective), units, 1000.0),
            "repeat_failure_rate": kpi._kpi_ratio(len(repeat_units), len(corrective_units)),
            "mtbf_days": kpi._kpi_ratio(operating_days, repairs, 1.0) if units else None,
        }


def run(bench, args, fmt_table):
    kpi = KpiBench(bench, args)
    try:
        say("kpi: preparing customers and a product")
        kpi.prepare()
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 2
    rows = [["orders", "claims", "measure", "figures", "seconds", "queries", "speedup"]]
    status = 0
    query_counts = []
    compared = []
    for n in args.kpi_sizes:
        try:
            say(f"kpi: inserting up to {n} orders and {n // ORDERS_PER_CLAIM} claims")
            t0 = time.perf_counter()
            kpi.grow(n)
            say(f"kpi:   inserted in {time.perf_counter() - t0:.1f} s")
            say("kpi: get_kpis over the last 365 days")
            ours_s, ours_q, ours = kpi.measure(kpi.ours, rounds=3)
            say(f"kpi:   {ours_s:.3f} s, {ours_q} queries; Python loop baseline")
            base_s, base_q, base = kpi.measure(kpi.baseline)
            say(f"kpi:   {base_s:.2f} s, {base_q} queries")
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            return 2
        query_counts.append(ours_q)
        speedup = base_s / ours_s if ours_s else float("inf")
        rows.append([n, kpi.claims, "get_kpis (ours)", len(ours), f"{ours_s:.3f}", ours_q, ""])
        rows.append(
            [n, kpi.claims, "Python loop", len(base[0]), f"{base_s:.2f}", base_q, f"{speedup:.1f}x"]
        )
        for key, value in base[0].items():
            mine = ours.get(key)
            if (mine is None) != (value is None) or (
                value is not None and abs(mine - value) > 1e-6 * max(1.0, abs(value))
            ):
                say(f"kpi: {key} differs: ours {mine}, loop {value}")
                status = 2
        compared.append((n, ours, base[0]))
        ok = speedup >= args.kpi_min_speedup
        print(
            f"kpi N={n}: get_kpis {speedup:.1f}x faster than the Python loop "
            f"(target >= {args.kpi_min_speedup}x): {'OK' if ok else 'MISS'}"
        )
        if not ok:
            status = max(status, 1)
    same = len(set(query_counts)) == 1
    print(
        f"kpi: queries of get_kpis per size {query_counts}: "
        f"{'the same' if same else 'NOT the same'}"
    )
    if not same:
        status = max(status, 1)
    print("KPI dashboard: get_kpis (last 365 days and the 365 before) vs a Python loop")
    print(fmt_table(rows, ["r", "r", "l", "r", "r", "r", "r"]))
    for n, ours, base in compared:
        print(f"kpi N={n}: figure            ours        loop")
        for key, value in base.items():
            mine = ours.get(key)
            print(
                f"  {key:<24} {'-' if mine is None else f'{mine:10.2f}'}  "
                f"{'-' if value is None else f'{value:10.2f}'}"
            )
    return status
