"""Spare-parts demand bench of ``make bench`` (imported by tools/bench.py, ``--only parts``).

Data (not measured, committed into the throwaway bench database): installed units and
maintenance plans written with ``INSERT ... SELECT generate_series``: ``--parts-sizes``
(default 10000,50000 plans; ``--quick``: 2000,10000) with 4 units per plan (so 200,000
units at 50,000 plans), 10 unit products (failure rates 0 to 90 per 1,000), 30 parts,
a preventive kit for any unit, a preventive kit per unit product for half of them, a
corrective kit per unit product and a shared one, 3 of the parts obsolete with a
substitute. Plans: monthly on any day (29th-31st included), every 1-6 weeks, weekly on
given weekdays, every 10-40 days, yearly, and usage-based on an hour meter (two
readings 29 days apart, 5-20 h a day); a tenth take their parts from a van. The data
grows from one size to the next, so that the same code is timed on both.

ours      ``after_sales.parts.demand._regenerate`` over 12 weeks: the whole forecast in
          one SQL query (occurrences by ``generate_series``), the substitutes, the
          stored rows replaced;
baseline  a Python loop over the plans with the ORM: each plan's occurrences from
          its ``dateutil`` recurrence (``_occurrences``), its meter readings and open
          usage order (``_get_readings``, ``_plans_with_open_usage_order``), its kit
          searched, the kit's lines added per week; then a loop over the installed
          units for the corrective demand (kits cached per product), the same
          substitutes; nothing stored.

Each measure runs as the superuser on a fresh cursor after an unmeasured warm-up
(ours: the best of 3), and is rolled back. Queries are counted process-wide with
``odoo.sql_db.sql_counter``. Targets: ours >= ``--parts-min-speedup`` (10) x faster
than the loop at every size; ours linear: time(big) / time(small) <= 1.1 x the data
ratio (5x data: at most 5.5x). Exit status 1 when a target is missed, 2 when the bench
cannot run or the loop and ours disagree on the totals.
"""

import math
import sys
import time
import traceback
from collections import defaultdict
from datetime import timedelta

DEFAULT_SIZES = "10000,50000"
QUICK_SIZES = "2000,10000"
MIN_SPEEDUP = 10.0
LINEAR_MARGIN = 1.1
UNITS_PER_PLAN = 4
UNIT_PRODUCTS = 10
PARTS = 30
CUSTOMERS = 200
WEEKS = 12


def add_arguments(parser):
    parser.add_argument(
        "--parts-sizes",
        default=None,
        help="numbers of maintenance plans, growing (default 10000,50000; --quick: "
        "2000,10000); 4 installed units per plan",
    )
    parser.add_argument(
        "--parts-min-speedup",
        type=float,
        default=MIN_SPEEDUP,
        help="ours must be this many times faster than the Python loop (default 10)",
    )


def finish_arguments(parser, args):
    sizes = args.parts_sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    try:
        args.parts_sizes = sorted(int(s) for s in str(sizes).split(",") if s.strip())
    except ValueError:
        parser.error("--parts-sizes takes comma-separated integers")
    if not args.parts_sizes or min(args.parts_sizes) <= 0:
        parser.error("--parts-sizes needs positive integers")


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class PartsBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args
        self.plans = 0
        self.units = 0

    # ------------------------------------------------------------------
    # Data
    # ------------------------------------------------------------------
    def prepare(self):
        from odoo import Command  # noqa: PLC0415

        with self.bench.env_cursor() as env:
            env = env(context={"tracking_disable": True, "mail_create_nolog": True})
            company = env.company
            self.company_id = company.id
            self.partner_ids = (
                env["res.partner"]
                .create(
                    [
                        {"name": f"Parts Customer {i:03d}", "is_company": True}
                        for i in range(CUSTOMERS)
                    ]
                )
                .ids
            )
            Product = env["product.product"]
            units = Product.create(
                [
                    {"name": f"Bench Parts Machine {i}", "is_storable": True}
                    for i in range(UNIT_PRODUCTS)
                ]
            )
            for i, unit in enumerate(units):
                unit.product_tmpl_id.after_sales_failure_rate = 10.0 * i
            self.unit_product_ids = units.ids
            parts = Product.create(
                [{"name": f"Bench Part {i:02d}", "is_storable": True} for i in range(PARTS)]
            )
            # parts 0-2 obsolete, replaced by parts 27-29
            for i in range(3):
                parts[i].write(
                    {
                        "after_sales_obsolete": True,
                        "after_sales_substitute_ids": [
                            Command.create({"substitute_id": parts[PARTS - 3 + i].id})
                        ],
                    }
                )
            preventive = env.ref("after_sales_service.service_type_preventive")
            corrective = env.ref("after_sales_service.service_type_corrective")
            Kit = env["after_sales.parts.kit"]

            def lines(*pairs):
                return [
                    Command.create({"product_id": parts[i].id, "quantity": qty}) for i, qty in pairs
                ]

            Kit.create(
                {
                    "name": "Bench preventive",
                    "service_type_id": preventive.id,
                    "line_ids": lines((0, 1), (3, 2), (4, 1)),
                }
            )
            Kit.create(
                [
                    {
                        "name": f"Bench preventive {i}",
                        "service_type_id": preventive.id,
                        "product_id": unit.id,
                        "line_ids": lines((5 + i, 1), (1, 0.5)),
                    }
                    for i, unit in enumerate(units)
                    if i % 2 == 0
                ]
            )
            Kit.create(
                [
                    {
                        "name": f"Bench repair {i}",
                        "service_type_id": corrective.id,
                        "product_id": unit.id,
                        "line_ids": lines((15 + i, 1), (2, 1)),
                    }
                    for i, unit in enumerate(units)
                    if i % 3 == 0
                ]
            )
            Kit.create(
                {
                    "name": "Bench repair",
                    "service_type_id": corrective.id,
                    "line_ids": lines((25, 1), (26, 2)),
                }
            )
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            van = env["stock.location"].create(
                {"name": "Bench Van", "usage": "internal", "location_id": warehouse.lot_stock_id.id}
            )
            self.van_id = van.id
            self.preventive_id = preventive.id
            self.meter_id = env.ref("after_sales_service.meter_operating_hours").id
            self.uid = env.uid

    def grow(self, plans):
        """Insert plans (and their units and readings) up to ``plans`` in total."""
        units = plans * UNITS_PER_PLAN
        with self.bench.env_cursor() as env:
            cr = env.cr
            common = {
                "company": self.company_id,
                "uid": self.uid,
                "partners": self.partner_ids,
                "products": self.unit_product_ids,
            }
            cr.execute(
                """
                INSERT INTO after_sales_equipment
                    (name, company_id, partner_id, product_id, delivery_date, active,
                     create_uid, write_uid, create_date, write_date)
                SELECT 'PARTS-UNIT-' || g, %(company)s,
                       (%(partners)s::int[])[1 + g %% array_length(%(partners)s::int[], 1)],
                       (%(products)s::int[])[1 + (g / 7) %% array_length(%(products)s::int[], 1)],
                       CASE WHEN g %% 25 = 0 THEN NULL
                            ELSE (now() at time zone 'utc')::date - 30 - (g %% 900) END,
                       g %% 40 != 0, %(uid)s, %(uid)s, now() at time zone 'utc',
                       now() at time zone 'utc'
                  FROM generate_series(%(first)s, %(last)s) g
                """,
                {**common, "first": self.units + 1, "last": units},
            )
            # plan g serves unit 4g - 3 (the first unit of its block)
            cr.execute(
                """
                INSERT INTO after_sales_plan
                    (name, company_id, equipment_id, partner_id, service_type_id, priority,
                     is_time_based, interval_number, interval_unit,
                     mon, tue, wed, thu, fri, sat, sun,
                     meter_id, usage_interval, usage_baseline,
                     horizon_days, tolerance_days, date_start, date_end, active,
                     parts_location_id,
                     create_uid, write_uid, create_date, write_date)
                SELECT 'PARTS-PLAN-' || p.g, %(company)s, e.id, e.partner_id, %(preventive)s, '1',
                       p.kind != 'usage',
                       CASE p.kind WHEN 'month' THEN 1 + p.g %% 3 WHEN 'week' THEN 1 + p.g %% 6
                                   WHEN 'weekdays' THEN 1 + p.g %% 2 WHEN 'day' THEN 10 + p.g %% 31
                                   ELSE 1 END,
                       CASE p.kind WHEN 'weekdays' THEN 'week' WHEN 'usage' THEN 'month'
                                   ELSE p.kind END,
                       p.kind = 'weekdays' AND p.g %% 2 = 0, p.kind = 'weekdays',
                       FALSE, p.kind = 'weekdays' AND p.g %% 3 = 0, FALSE, FALSE, FALSE,
                       CASE WHEN p.kind = 'usage' THEN %(meter)s END,
                       CASE WHEN p.kind = 'usage' THEN 200 + 50 * (p.g %% 7) ELSE 0 END,
                       CASE WHEN p.kind = 'usage' THEN 1000 ELSE 0 END,
                       30, CASE WHEN p.kind = 'usage' THEN 0 ELSE 7 END,
                       (now() at time zone 'utc')::date - (p.g %% 400),
                       CASE WHEN p.g %% 17 = 0
                            THEN (now() at time zone 'utc')::date + 30 + p.g %% 20 END,
                       p.g %% 50 != 0,
                       CASE WHEN p.g %% 10 = 0 THEN %(van)s END,
                       %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                  FROM (SELECT g, (ARRAY['month', 'month', 'week', 'weekdays', 'day', 'year',
                                         'usage', 'month', 'week', 'usage'])[1 + g %% 10] AS kind
                          FROM generate_series(%(first)s, %(last)s) g) p
                  JOIN after_sales_equipment e ON e.name = 'PARTS-UNIT-' || (4 * p.g - 3)
                """,
                {
                    **common,
                    "first": self.plans + 1,
                    "last": plans,
                    "preventive": self.preventive_id,
                    "meter": self.meter_id,
                    "van": self.van_id,
                },
            )
            # two readings 29 days apart at midnight, 5-20 h a day, for the usage plans
            cr.execute(
                """
                INSERT INTO after_sales_meter_reading
                    (equipment_id, company_id, meter_id, date, value,
                     create_uid, write_uid, create_date, write_date)
                SELECT p.equipment_id, p.company_id, p.meter_id,
                       (now() at time zone 'utc')::date - r.age,
                       CASE WHEN r.age = 30 THEN 1000 - (p.id %% 13) * 10
                            ELSE 1000 - (p.id %% 13) * 10 + 29 * (5 + p.id %% 16) END,
                       %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                  FROM after_sales_plan p
                 CROSS JOIN (VALUES (30), (1)) r(age)
                 WHERE p.name LIKE 'PARTS-PLAN-%%' AND p.meter_id IS NOT NULL
                   AND p.id > %(last_plan_id)s
                """,
                {**common, "last_plan_id": getattr(self, "last_plan_id", 0)},
            )
            cr.execute("SELECT max(id) FROM after_sales_plan")
            self.last_plan_id = cr.fetchone()[0]
            for table in ("after_sales_plan", "after_sales_equipment", "after_sales_meter_reading"):
                cr.execute(f"ANALYZE {table}")  # noqa: S608 - constant names
        self.plans = plans
        self.units = units

    # ------------------------------------------------------------------
    # Measures
    # ------------------------------------------------------------------
    def measure(self, function, rounds=1):
        from odoo import sql_db  # noqa: PLC0415

        best = None
        with self.bench.env_cursor() as env:
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

    def today(self, env):
        from odoo import fields  # noqa: PLC0415

        return fields.Date.context_today(env.user)

    def ours(self, env):
        Demand = env["after_sales.parts.demand"]
        company = env["res.company"].browse(self.company_id)
        Demand._regenerate(company, WEEKS, today=self.today(env))
        env.flush_all()
        rows = Demand.search_fetch(
            [("company_id", "=", company.id)],
            ["product_id", "location_id", "week_date", "qty_planned", "qty_corrective"],
        )
        return {
            (row.product_id.id, row.location_id.id, row.week_date): (
                row.qty_planned,
                row.qty_corrective,
            )
            for row in rows
        }

    def baseline(self, env):
        """The same forecast, plan by plan and unit by unit, with the ORM."""
        Demand = env["after_sales.parts.demand"]
        Kit = env["after_sales.parts.kit"]
        company = env["res.company"].browse(self.company_id)
        today = self.today(env)
        monday, last_day = Demand._forecast_window(today, WEEKS)
        stock = (
            env["stock.warehouse"]
            .search([("company_id", "=", company.id)], order="sequence, id", limit=1)
            .lot_stock_id
        )
        totals = defaultdict(lambda: [0.0, 0.0])

        def kit_of(service_type, unit_product, checklist):
            kits = Kit.search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("service_type_id", "in", (service_type.id, False)),
                    ("product_id", "in", (unit_product.id, False)),
                    ("checklist_template_id", "in", (checklist.id, False)),
                ]
            )
            return min(
                kits,
                key=lambda k: (
                    not k.checklist_template_id,
                    not k.product_id,
                    not k.service_type_id,
                    k.sequence,
                    k.id,
                ),
                default=Kit,
            )

        plans = env["after_sales.plan"].search([("company_id", "=", company.id)])
        for plan in plans:
            if not plan._serves_unit_owner():
                continue
            lo = max(plan.date_start, today)
            hi = min(plan.date_end or last_day, last_day)
            if lo > hi:
                continue
            dates = []
            if plan.is_time_based and plan.interval_number > 0:
                dates = plan._occurrences(lo, hi)
            usage = []
            if plan.meter_id and plan.equipment_id and plan.usage_interval > 0:
                readings = plan._get_readings().get((plan.equipment_id.id, plan.meter_id.id), [])
                due = plan not in plan._plans_with_open_usage_order() and (
                    plan._forecast_usage_date(readings)
                )
                if due:
                    first = max(due, lo)
                    (first_date, first_value), (last_date, last_value) = readings[0], readings[-1]
                    days = (last_date - first_date).total_seconds() / 86400
                    step = None
                    if days > 0 and last_value > first_value:
                        step = max(plan.usage_interval / ((last_value - first_value) / days), 1.0)
                    k = 0
                    while first <= hi:
                        day = first + timedelta(days=math.floor(k * step) if step else 0)
                        if day > hi or (k and not step):
                            break
                        usage.append(day)
                        k += 1
            tolerance = plan.tolerance_days
            dates = [d for d in dates if all(abs((d - u).days) > tolerance for u in usage)]
            kit = kit_of(
                plan.service_type_id, plan.equipment_id.product_id, plan.checklist_template_id
            )
            location = plan.parts_location_id or stock
            for day in dates + usage:
                week = day - timedelta(days=day.weekday())
                for line in kit.line_ids:
                    totals[(line.product_id.id, location.id, week)][0] += line.quantity
        # corrective: unit by unit
        corrective = env.ref("after_sales_service.service_type_corrective")
        failures = defaultdict(float)
        units = env["after_sales.equipment"].search(
            [("company_id", "=", company.id), ("delivery_date", "<=", today)]
        )
        for unit in units:
            rate = unit.product_id.product_tmpl_id.after_sales_failure_rate
            if rate > 0:
                failures[unit.product_id] += rate / 1000 * 7 / 365.0
        for product, per_week in failures.items():
            kits = Kit.search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("service_type_id", "=", corrective.id),
                    ("product_id", "in", (product.id, False)),
                    ("checklist_template_id", "=", False),
                ]
            )
            kit = min(kits, key=lambda k: (not k.product_id, k.sequence, k.id), default=Kit)
            for index in range(WEEKS):
                week = monday + timedelta(weeks=index)
                for line in kit.line_ids:
                    totals[(line.product_id.id, stock.id, week)][1] += per_week * line.quantity
        parts = env["product.product"].browse({key[0] for key in totals})
        replacement = parts._after_sales_replacements()
        result = defaultdict(lambda: [0.0, 0.0])
        for (product_id, location_id, week), (planned, corr) in totals.items():
            key = (replacement[product_id], location_id, week)
            result[key][0] += planned
            result[key][1] += corr
        return {key: tuple(value) for key, value in result.items()}


def _compare(ours, base):
    """The differences between two forecasts (at most 5)."""
    problems = []
    for key in sorted(set(ours) | set(base), key=str):
        mine, theirs = ours.get(key, (0.0, 0.0)), base.get(key, (0.0, 0.0))
        if any(abs(a - b) > 1e-6 * max(1.0, abs(b)) for a, b in zip(mine, theirs, strict=True)):
            problems.append(f"{key}: ours {mine}, loop {theirs}")
    return problems[:5]


def run(bench, args, fmt_table):
    parts = PartsBench(bench, args)
    try:
        say("parts: preparing parts, kits and substitutes")
        parts.prepare()
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 2
    rows = [
        [
            "plans",
            "units",
            "measure",
            "rows",
            "planned",
            "corrective",
            "seconds",
            "queries",
            "speedup",
        ]
    ]
    status = 0
    timings = []
    for n in args.parts_sizes:
        try:
            say(f"parts: inserting up to {n} plans and {n * UNITS_PER_PLAN} units")
            t0 = time.perf_counter()
            parts.grow(n)
            say(f"parts:   inserted in {time.perf_counter() - t0:.1f} s")
            say(f"parts: {WEEKS}-week forecast (ours)")
            ours_s, ours_q, ours = parts.measure(parts.ours, rounds=3)
            say(f"parts:   {ours_s:.3f} s, {ours_q} queries; Python loop baseline")
            base_s, base_q, base = parts.measure(parts.baseline)
            say(f"parts:   {base_s:.2f} s, {base_q} queries")
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            return 2
        timings.append((n, ours_s))
        speedup = base_s / ours_s if ours_s else float("inf")
        for label, result, seconds, queries, ratio in (
            ("ours (SQL)", ours, ours_s, ours_q, ""),
            ("Python loop", base, base_s, base_q, f"{speedup:.1f}x"),
        ):
            rows.append(
                [
                    n,
                    parts.units,
                    label,
                    len(result),
                    f"{sum(v[0] for v in result.values()):.1f}",
                    f"{sum(v[1] for v in result.values()):.3f}",
                    f"{seconds:.3f}",
                    queries,
                    ratio,
                ]
            )
        problems = _compare(ours, base)
        if problems:
            say(f"parts: ours and the loop differ at N={n}: {problems}")
            print(f"parts N={n}: CHECK FAILED, the totals differ: {problems}")
            status = 2
        ok = speedup >= args.parts_min_speedup
        print(
            f"parts N={n}: forecast {speedup:.1f}x faster than the Python loop "
            f"(target >= {args.parts_min_speedup}x): {'OK' if ok else 'MISS'}"
        )
        if not ok:
            status = max(status, 1)
    if len(timings) > 1:
        (small_n, small_s), (big_n, big_s) = timings[0], timings[-1]
        data_ratio = big_n / small_n
        time_ratio = big_s / small_s if small_s else float("inf")
        ok = time_ratio <= LINEAR_MARGIN * data_ratio
        print(
            f"parts: {data_ratio:.1f}x the data costs {time_ratio:.2f}x the time "
            f"(target <= {LINEAR_MARGIN * data_ratio:.1f}x): {'OK' if ok else 'MISS'}"
        )
        if not ok:
            status = max(status, 1)
    print(f"Spare-parts demand: {WEEKS}-week forecast, SQL vs a per-plan Python loop")
    print(fmt_table(rows, ["r", "r", "l", "r", "r", "r", "r", "r", "r"]))
    return status
