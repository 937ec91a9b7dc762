"""Service-order invoicing and cost-entry bench of ``make bench`` (imported by
tools/bench.py, ``--only orders``).

For each size N (default 2,000; ``--quick``: 200) it drives N service orders to done
the way users do, then measures two things, each batched and as a one-at-a-time
loop, on the very same orders:

invoices  ``orders._create_invoices()`` (what the "Create Invoice" button
          ``action_create_invoice`` calls) on the orders to invoice, in one call,
          vs ``for order in orders: order._create_invoices()``. The batch makes one
          invoice per customer, the loop one per order: both bill the same lines.
entries   ``orders._post_cost_entries()`` (what closing the orders calls) on the
          same orders, in one call, vs ``for order in orders: order._post_cost_entries()``;
          the same entries (one posted entry per order) either way.

Setup (not measured, committed): the company's after-sales accounts
(``company._after_sales_setup()``, which creates what is missing; a chart of
accounts is required), a
service type covered by warranty with a checklist (one mandatory task, one not),
``--customers`` customers with three units each (in warranty; out of warranty under
a running contract paying parts 100 %, labour 50 %, travel 100 %; out of warranty and
uncovered), a technician (``hr.employee`` with an hourly cost), a storable spare part
with stock, and service products for labour, travel and a parking expense. Each
order has 4 lines (labour, part, travel, expense), its units taken in turn; orders
are created in chunks, then per chunk: ``action_schedule`` (parts reserved),
``action_start``, tasks ticked, used quantities entered, ``action_done`` (parts
consumed at stock valuation) with ``_post_cost_entries`` stubbed out, so that the
orders are done but their cost entries are not posted yet.

Each measure runs as the superuser on a fresh cursor, from an emptied ORM cache, and
covers the call plus ``cr.flush()`` (the flush and pre-commit hooks of the COMMIT);
the results are then checked (invoices, billed lines and amounts, statuses; entries,
items, balances) and everything is rolled back, so every measure starts from the
same committed orders. Queries are counted process-wide with ``odoo.sql_db.sql_counter``.
An unmeasured warm-up on orders of their own fills Odoo's ormcaches first. With
``--repeat``, rounds alternate which of batch and loop runs first; the table shows the
fastest round of each, queries from the worst.

Target (issue 7): the batch at least ``--order-min-speedup`` (3) x the loop's
orders/s, reported OK/MISS only. Exit status 2 when the setup fails or a batched
call creates wrong records; 0 otherwise.
"""

import cProfile
import io
import pstats
import sys
import time
import traceback
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

DEFAULT_SIZES = "2000"
QUICK_SIZES = "200"
MIN_SPEEDUP = 3.0
BATCH = "batch"
LOOP = "loop"
INVOICES = "invoices"
ENTRIES = "entries"
KIND_TITLES = {
    INVOICES: "A. invoicing done orders: _create_invoices()",
    ENTRIES: "B. cost entries of done orders: _post_cost_entries()",
}
SETUP_CTX = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
CREATE_CHUNK = 500
# (line type, planned = used quantity)
LINES = (("labour", 1.5), ("part", 2.0), ("travel", 37.0), ("expense", 1.0))
HOURLY_COST = 42.0
TOLERANCE = 0.005


def add_arguments(parser):
    group = parser.add_argument_group("service-order invoicing and cost-entry bench")
    group.add_argument(
        "--order-sizes",
        default=None,
        help=f"comma-separated numbers of done orders (default {DEFAULT_SIZES}; "
        f"--quick: {QUICK_SIZES})",
    )
    group.add_argument(
        "--order-warmup", type=int, default=20, help="orders in the warm-up (20, --quick 10)"
    )
    group.add_argument(
        "--order-min-speedup",
        type=float,
        default=MIN_SPEEDUP,
        help=f"target of the batch's orders/s over the loop's (reported, default {MIN_SPEEDUP:g})",
    )


def finish_arguments(parser, args):
    sizes = args.order_sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    try:
        args.order_sizes = [int(s) for s in str(sizes).split(",") if s.strip()]
    except ValueError:
        parser.error("--order-sizes takes comma-separated integers")
    if not args.order_sizes or min(args.order_sizes) <= 0:
        parser.error("--order-sizes needs positive integers")
    if args.quick:
        args.order_warmup = min(args.order_warmup, 10)


def say(msg):
    print(msg, file=sys.stderr, flush=True)


@contextmanager
def _no_cost_entries(env):
    """Closing orders posts no cost entry (measured separately)."""
    order_class = type(env["after_sales.order"])
    with mock.patch.object(
        order_class, "_post_cost_entries", lambda orders: orders.env["account.move"]
    ):
        yield


class OrderBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args
        self.today = bench.today

    def env_cursor(self):
        return self.bench.env_cursor()

    # ------------------------------------------------------------------ setup

    def prepare(self):
        from odoo import Command, fields  # noqa: PLC0415

        with self.env_cursor() as env:
            company = env.company
            if not company.chart_template:
                raise RuntimeError(f"company {company.name} has no chart of accounts")
            company._after_sales_setup()  # safe to call again: creates what is missing
            company._after_sales_check_accounting()
            ctx_env = env(context=SETUP_CTX)
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", company.id)], order="sequence, id", limit=1
            )
            if not warehouse:
                raise RuntimeError(f"company {company.name} has no warehouse")

            # reused on a kept database (KEEP_DB=1): the code is unique
            service_type = ctx_env["after_sales.service.type"].search(
                [("code", "=", "bench_repair")], limit=1
            )
            if not service_type:
                service_type = ctx_env["after_sales.service.type"].create(
                    {"name": "Bench Repair", "code": "bench_repair", "is_warranty_covered": True}
                )
                ctx_env["after_sales.checklist.template"].create(
                    {
                        "name": "Bench Repair",
                        "service_type_id": service_type.id,
                        "line_ids": [
                            Command.create(
                                {
                                    "name": "Safety check",
                                    "expected_minutes": 10,
                                    "is_mandatory": True,
                                }
                            ),
                            Command.create(
                                {"name": "Clean up", "expected_minutes": 5, "is_mandatory": False}
                            ),
                        ],
                    }
                )
            self.service_type_id = service_type.id
            Product = ctx_env["product.product"]
            machine = Product.create(
                {
                    "name": "Bench Coffee Machine",
                    "type": "consu",
                    "sale_ok": True,
                    "warranty_months": 24,
                    "warranty_trigger": "delivery",
                    "warranty_parts_pct": 100,
                    "warranty_labour_pct": 100,
                    "warranty_travel_pct": 50,
                }
            )
            part = Product.create(
                {
                    "name": "Bench Boiler Gasket",
                    "is_storable": True,
                    "standard_price": 10.0,
                    "lst_price": 24.9,
                }
            )
            labour = Product.create(
                {"name": "Bench Service Hour", "type": "service", "lst_price": 85.0}
            )
            travel = Product.create(
                {
                    "name": "Bench Travel (km)",
                    "type": "service",
                    "lst_price": 0.83,
                    "standard_price": 0.45,
                }
            )
            parking = Product.create(
                {
                    "name": "Bench Parking",
                    "type": "service",
                    "lst_price": 7.5,
                    "standard_price": 7.5,
                }
            )
            self.product_ids = {
                "labour": labour.id,
                "part": part.id,
                "travel": travel.id,
                "expense": parking.id,
            }
            self.part_id = part.id
            self.stock_location_id = warehouse.lot_stock_id.id
            self.taxes = ", ".join(labour.taxes_id.mapped("name")) or "none"
            employee = (
                ctx_env["hr.employee"]
                .sudo()
                .create(
                    {
                        "name": "Bench Technician",
                        "hourly_cost": HOURLY_COST,
                        "company_id": company.id,
                    }
                )
            )
            self.employee_id = employee.id
            self.technician_id = env.ref("base.user_admin").id

            partner_ids = getattr(self.bench, "partner_ids", None)
            if not partner_ids:
                partner_ids = (
                    ctx_env["res.partner"]
                    .create(
                        [
                            {"name": f"Bench Order Customer {i:03d}", "is_company": True}
                            for i in range(self.args.customers)
                        ]
                    )
                    .ids
                )
            self.partner_ids = partner_ids
            Equipment = ctx_env["after_sales.equipment"]
            recent = self.today - timedelta(days=60)
            old = self.today - timedelta(days=5 * 366)
            # per customer: in warranty, under contract, uncovered
            units = Equipment.create(
                [
                    {"product_id": machine.id, "partner_id": partner_id, "delivery_date": day}
                    for partner_id in partner_ids
                    for day in (recent, old, old)
                ]
            )
            self.unit_ids = units.ids  # [warranty, contract, none] x customers
            start = self.today.replace(day=1) - timedelta(days=1)
            start = start.replace(day=1)  # running since last month
            contracts = ctx_env["after_sales.contract"].create(
                [
                    {
                        "partner_id": partner_id,
                        "date_start": start,
                        "date_end": start.replace(year=start.year + 1) - timedelta(days=1),
                        "price": 100.0,
                        "billing_period": "monthly",
                        "equipment_ids": [Command.set([units.ids[3 * i + 1]])],
                        "parts_pct": 100.0,
                        "labour_pct": 50.0,
                        "travel_pct": 100.0,
                    }
                    for i, partner_id in enumerate(partner_ids)
                ]
            )
            contracts.action_start()
            env.flush_all()
            self.order_date = fields.Datetime.now()
            self.coverage = self._check_units(env, units)

    def _check_units(self, env, units):
        """{source: units} of the coverage of the units today; refuses a setup
        where the three kinds of units are not what they should be."""
        found = {}
        for i, unit in enumerate(units):
            coverage = unit._get_coverage(
                self.today, env["after_sales.service.type"].browse(self.service_type_id)
            )
            expected = ("warranty", "contract", "none")[i % 3]
            if coverage.source != expected:
                raise RuntimeError(
                    f"unit {unit.display_name}: coverage {coverage.source}, expected {expected}"
                )
            found[expected] = found.get(expected, 0) + 1
        return found

    def _line_vals(self, kind, quantity):
        vals = {"line_type": kind, "product_id": self.product_ids[kind], "quantity": quantity}
        if kind == "labour":
            vals["employee_id"] = self.employee_id
        return vals

    def create_orders(self, n):
        """N done orders, cost entries not posted, committed; returns their ids."""
        from odoo import Command  # noqa: PLC0415

        ids = []
        # stock for the parts of these orders (reserved when scheduled)
        with self.env_cursor() as env:
            env["stock.quant"]._update_available_quantity(
                env["product.product"].browse(self.part_id),
                env["stock.location"].browse(self.stock_location_id),
                n * dict(LINES)["part"],
            )
        for lo in range(0, n, CREATE_CHUNK):
            hi = min(n, lo + CREATE_CHUNK)
            with self.env_cursor() as env:
                ctx_env = env(context=SETUP_CTX)
                planned = self.order_date + timedelta(hours=1)
                orders = ctx_env["after_sales.order"].create(
                    [
                        {
                            "service_type_id": self.service_type_id,
                            # the units in turn, each order for the unit's owner
                            "partner_id": self.partner_ids[(i % len(self.unit_ids)) // 3],
                            "equipment_id": self.unit_ids[i % len(self.unit_ids)],
                            "date_received": self.order_date,
                            "planned_date_start": planned,
                            "planned_date_end": planned + timedelta(hours=2),
                            "technician_ids": [Command.set([self.technician_id])],
                            "line_ids": [
                                Command.create(self._line_vals(kind, quantity))
                                for kind, quantity in LINES
                            ],
                        }
                        for i in range(lo, hi)
                    ]
                )
                orders.action_schedule()
                orders.action_start()
                orders.task_ids.write({"is_done": True})
                for kind, quantity in LINES:
                    orders.line_ids.filtered(lambda line, k=kind: line.line_type == k).write(
                        {"quantity_done": quantity}
                    )
                with _no_cost_entries(env):
                    orders.action_done()
                env.flush_all()
                ids += orders.ids
        with self.env_cursor() as env:
            env.cr.execute(
                """SELECT count(*) FILTER (WHERE o.state != 'done'),
                          count(*) FILTER (WHERE o.invoice_status = 'to_invoice'),
                          count(*) FILTER (WHERE EXISTS (
                              SELECT 1 FROM account_move m
                               WHERE m.after_sales_cost_order_id = o.id))
                     FROM after_sales_order o WHERE o.id = ANY(%s)""",
                [ids],
            )
            not_done, to_invoice, with_entry = env.cr.fetchone()
            env.cr.execute(
                """SELECT count(*) FROM stock_move
                    WHERE after_sales_order_id = ANY(%s) AND state = 'done'""",
                [ids],
            )
            consumed = env.cr.fetchone()[0]
        if not_done or with_entry or not to_invoice:
            raise RuntimeError(
                f"of {n} orders: {not_done} not done, {with_entry} with a cost entry, "
                f"{to_invoice} to invoice"
            )
        if consumed != n:
            raise RuntimeError(f"{consumed} part moves done for {n} orders")
        return ids

    # ------------------------------------------------------------------ runs

    def _max_move_id(self, env):
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM account_move")
        return env.cr.fetchone()[0]

    def _expected(self, env, kind, orders):
        """What the measure must create for ``orders`` (from their lines)."""
        ids = orders.ids
        if kind == INVOICES:
            env.cr.execute(
                """SELECT count(*), COALESCE(SUM(l.billable_amount), 0),
                          count(DISTINCT (COALESCE(p.commercial_partner_id, p.id), o.company_id))
                     FROM after_sales_order_line l
                     JOIN after_sales_order o ON o.id = l.order_id
                     JOIN res_partner p ON p.id = o.partner_id
                    WHERE l.order_id = ANY(%s) AND l.billable_amount > 0""",
                [ids],
            )
            lines, amount, customers = env.cr.fetchone()
            return {"lines": lines, "amount": float(amount), "customers": customers}
        env.cr.execute(
            """SELECT count(DISTINCT l.order_id), COALESCE(SUM(l.cost_actual), 0)
                 FROM after_sales_order_line l
                WHERE l.order_id = ANY(%s) AND l.line_type != 'subcontract'
                  AND l.cost_actual != 0""",
            [ids],
        )
        entries, amount = env.cr.fetchone()
        return {"entries": entries, "amount": float(amount)}

    def _check(self, env, kind, mode, before, orders, expected):
        """(records created, output signature, [problems]) of a measure, read in its
        own transaction before the rollback."""
        ids = orders.ids
        problems = []
        if kind == INVOICES:
            env.cr.execute(
                """SELECT count(DISTINCT m.id),
                          count(DISTINCT m.id) FILTER (WHERE m.move_type != 'out_invoice'
                                                          OR m.state != 'draft'),
                          count(l.id), COALESCE(SUM(l.price_subtotal), 0),
                          count(DISTINCT l.after_sales_order_id),
                          count(l.id) FILTER (WHERE l.after_sales_order_id != ALL(%s))
                     FROM account_move m
                LEFT JOIN account_move_line l ON l.move_id = m.id AND l.after_sales_is_billing
                    WHERE m.id > %s""",
                [ids, before],
            )
            moves, odd, lines, amount, billed_orders, foreign = env.cr.fetchone()
            amount = float(amount)
            want_moves = expected["customers"] if mode == BATCH else len(ids)
            if moves != want_moves:
                problems.append(f"{moves} invoices, {want_moves} expected")
            if odd:
                problems.append(f"{odd} moves are not draft customer invoices")
            if lines != expected["lines"]:
                problems.append(f"{lines} billed lines, {expected['lines']} expected")
            if abs(amount - expected["amount"]) > TOLERANCE:
                problems.append(
                    f"billed {amount:.2f} untaxed, the orders' billable amount is "
                    f"{expected['amount']:.2f} (difference {amount - expected['amount']:+.2f})"
                )
            if billed_orders != len(ids) or foreign:
                problems.append(f"{billed_orders} orders billed of {len(ids)}, {foreign} foreign")
            env.cr.execute(
                "SELECT count(*) FROM after_sales_order WHERE id = ANY(%s) "
                "AND invoice_status != 'invoiced'",
                [ids],
            )
            left = env.cr.fetchone()[0]
            if left:
                problems.append(f"{left} orders not 'invoiced' afterwards")
            signature = (lines, round(amount, 2), billed_orders)
            return moves, signature, problems
        env.cr.execute(
            """SELECT count(DISTINCT m.id),
                      count(DISTINCT m.id) FILTER (WHERE m.state != 'posted'
                                                      OR m.move_type != 'entry'),
                      count(DISTINCT m.after_sales_cost_order_id),
                      count(DISTINCT m.id) FILTER (WHERE m.after_sales_cost_order_id
                                                         != ALL(%s)),
                      count(l.id), COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0),
                      COALESCE(SUM(l.balance) FILTER (WHERE l.after_sales_provision_kind
                                                            IS NOT NULL), 0)
                 FROM account_move m
            LEFT JOIN account_move_line l ON l.move_id = m.id
                WHERE m.id > %s""",
            [ids, before],
        )
        moves, odd, orders_done, foreign, items, debit, credit, provision = env.cr.fetchone()
        debit, credit, provision = float(debit), float(credit), float(provision)
        if moves != expected["entries"] or orders_done != expected["entries"]:
            problems.append(
                f"{moves} entries for {orders_done} orders, {expected['entries']} expected"
            )
        if odd or foreign:
            problems.append(f"{odd} entries not posted, {foreign} of other orders")
        if abs(debit - credit) > TOLERANCE:
            problems.append(f"debit {debit:.2f} != credit {credit:.2f}")
        if abs(debit - expected["amount"]) > TOLERANCE:
            problems.append(
                f"charged {debit:.2f}, the orders' actual cost is {expected['amount']:.2f}"
            )
        signature = (moves, items, round(debit, 2), round(provision, 2))
        return moves, signature, problems

    def run(self, kind, mode, ids, measured=True):
        """One measure on the done orders ``ids``, rolled back; returns its figures."""
        from odoo import sql_db  # noqa: PLC0415

        profiler = cProfile.Profile() if self.args.profile and measured else None
        with self.env_cursor() as env:
            cr = env.cr
            try:
                orders = env["after_sales.order"].browse(ids)
                if kind == INVOICES:
                    orders = orders.filtered(lambda o: o.invoice_status == "to_invoice")
                    method = "_create_invoices"
                else:
                    method = "_post_cost_entries"
                expected = self._expected(env, kind, orders)
                before = self._max_move_id(env)
                env.invalidate_all()
                orders = env["after_sales.order"].browse(orders.ids)
                if mode == BATCH:

                    def call():
                        getattr(orders, method)()
                else:

                    def call():
                        for order in orders:
                            getattr(order, method)()

                q0, t0 = sql_db.sql_counter, time.perf_counter()
                c0 = time.process_time()
                if profiler:
                    profiler.enable()
                call()
                cr.flush()  # what COMMIT does before committing
                seconds = time.perf_counter() - t0
                cpu = time.process_time() - c0
                queries = sql_db.sql_counter - q0
                if profiler:
                    profiler.disable()
                    self._print_profile(profiler, kind, mode, len(orders))
                made, signature, problems = self._check(env, kind, mode, before, orders, expected)
            finally:
                cr.rollback()  # every measure starts from the same done orders
        n = len(orders)
        return {
            "kind": kind,
            "mode": mode,
            "orders": n,
            "made": made,
            "seconds": seconds,
            "cpu": cpu,
            "queries": queries,
            "ops": n / seconds if seconds else 0.0,
            "qpo": queries / n if n else float("inf"),
            "signature": signature,
            "problems": problems,
        }

    def _print_profile(self, profiler, kind, mode, n):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(self.args.profile)
        say(f"----- profile of {kind} {mode}, {n} orders (cumulative) -----")
        say(out.getvalue().rstrip())
        say(f"----- end of profile of {kind} {mode} -----")


# ----------------------------------------------------------------------------- main


def _label(kind, mode):
    return f"{kind} {mode}"


def run(bench, args, fmt_table):
    """The service-order bench; prints its table, returns the exit status (0 or 2)."""
    ob = OrderBench(bench, args)
    failures = []
    guarded = _make_guard(failures)
    try:
        ob.prepare()
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        print(f"\nCHECK FAILED: cannot set up the service-order bench: {exc}")
        return 2
    say(
        f"bench.py: orders: {args.module} invoicing and cost entries, batch vs loop; sizes "
        f"{args.order_sizes}, {len(ob.partner_ids)} customers (today {ob.today})"
    )
    modes = (BATCH, LOOP)
    kinds = (INVOICES, ENTRIES)
    if args.order_warmup > 0:
        say(f"bench.py: orders: warm-up with {args.order_warmup} orders (not measured)")
        ids = guarded(BATCH, "warm-up setup", lambda: ob.create_orders(args.order_warmup))
        for kind in kinds if ids else ():
            for mode in modes:
                res = guarded(
                    mode, f"warm-up {kind}", lambda k=kind, m=mode: ob.run(k, m, ids, False)
                )
                if res and res["problems"]:
                    failures.append(
                        (mode, f"warm-up {_label(kind, mode)}: {'; '.join(res['problems'])}")
                    )

    results = []
    for n in args.order_sizes:
        tag = f"N={n}"
        say(f"bench.py: orders {tag}: creating {n} done orders (4 lines each)")
        t0 = time.perf_counter()
        ids = guarded(BATCH, f"{tag} setup", lambda n=n: ob.create_orders(n))
        if ids is None:
            continue
        say(f"bench.py:   created in {time.perf_counter() - t0:.1f} s")
        runs = {(kind, mode): [] for kind in kinds for mode in modes}
        for rnd in range(args.repeat):
            round_modes = modes[::-1] if rnd % 2 else modes
            rtag = tag + (f" round {rnd + 1}/{args.repeat}" if args.repeat > 1 else "")
            for kind in kinds:
                for mode in round_modes:
                    say(f"bench.py: orders {rtag}: measuring {_label(kind, mode)}")
                    res = guarded(mode, f"{rtag} {kind}", lambda k=kind, m=mode: ob.run(k, m, ids))
                    if res is None:
                        continue
                    say(
                        f"bench.py:   {res['orders']} orders -> {res['made']} {kind} in "
                        f"{res['seconds']:.2f} s ({res['ops']:.1f} orders/s), "
                        f"{res['queries']} queries ({res['qpo']:.2f}/order)"
                    )
                    if res["problems"]:
                        failures.append(
                            (mode, f"{rtag} {_label(kind, mode)}: {'; '.join(res['problems'])}")
                        )
                    runs[kind, mode].append(res)
        best = {}
        for key, lst in runs.items():
            if not lst:
                continue
            res = dict(min(lst, key=lambda r: r["seconds"]))
            res["queries"] = max(r["queries"] for r in lst)
            res["qpo"] = max(r["qpo"] for r in lst)
            res["signatures"] = {r["signature"] for r in lst}
            best[key] = res
        results.append((n, best))

    print()
    print(
        f"Service orders: invoicing and cost entries, batch vs one-at-a-time loop -- "
        f"{args.module}, db {args.database}, {len(ob.partner_ids)} customers"
    )
    print(
        "each order: 4 lines (labour 1.5 h, 2 stocked parts, 37 km travel, parking), its "
        f"unit in warranty / under contract / uncovered in turn ({ob.coverage.get('warranty', 0)}"
        f" / {ob.coverage.get('contract', 0)} / {ob.coverage.get('none', 0)} units), done "
        "(parts consumed); "
        f"taxes of the service products: {ob.taxes}; each measure from an empty cache, "
        "call + cr.flush(), rolled back; batch and loop on the same orders"
        + (
            f"; {args.repeat} rounds in alternating order: fastest shown, queries from the worst"
            if args.repeat > 1
            else ""
        )
    )
    print()
    report(results, args, kinds, fmt_table)
    if failures:
        print()
        for _mode, failure in failures:
            print(f"CHECK FAILED: {failure}")
    if any(mode == BATCH for mode, _msg in failures):
        return 2
    return 0


def _make_guard(failures):
    def guarded(mode, tag, func):
        try:
            return func()
        except Exception as exc:  # noqa: BLE001 - report it, measure the rest
            traceback.print_exc()
            failures.append((mode, f"{tag} {mode}: {type(exc).__name__}: {exc}"))
            return None

    return guarded


def _row(n, name, res):
    return [
        n,
        name,
        res["orders"],
        res["made"],
        f"{res['seconds']:.2f}",
        f"{res['ops']:.1f}",
        res["queries"],
        f"{res['qpo']:.2f}",
        f"{res['cpu']:.2f}",
    ]


def report(results, args, kinds, fmt_table):
    header = [
        "N",
        "measure",
        "orders",
        "created",
        "seconds",
        "orders/s",
        "queries",
        "queries/order",
        "cpu s",
    ]
    rows = [header]
    lines = []
    made_name = {INVOICES: "invoices", ENTRIES: "entries"}
    for n, best in results:
        for kind in kinds:
            batch, loop = best.get((kind, BATCH)), best.get((kind, LOOP))
            if batch:
                rows.append(_row(n, f"{made_name[kind]}: batch", batch))
            if loop:
                rows.append(_row(n, f"{made_name[kind]}: loop", loop))
            if not (batch and loop):
                continue
            speed = batch["ops"] / loop["ops"] if loop["ops"] else float("inf")
            rows.append(
                [
                    n,
                    f"{made_name[kind]}: ratio batch/loop",
                    "",
                    "",
                    f"{batch['seconds'] / loop['seconds']:.3f}x" if loop["seconds"] else "",
                    f"{speed:.2f}x",
                    "",
                    f"{batch['qpo'] / loop['qpo']:.3f}x" if loop["qpo"] else "",
                    f"{batch['cpu'] / loop['cpu']:.3f}x" if loop["cpu"] else "",
                ]
            )
            ok = speed >= args.order_min_speedup
            same = batch["signatures"] == loop["signatures"] and len(batch["signatures"]) == 1
            lines.append(
                f"N={n}: target  {KIND_TITLES[kind]}: batch >= {args.order_min_speedup:g}x "
                f"the loop's orders/s: {'OK  ' if ok else 'MISS'} ({speed:.2f}x; "
                f"{batch['qpo']:.2f} vs {loop['qpo']:.2f} queries/order; same output: "
                f"{'yes' if same else 'NO'})"
            )
    print(fmt_table(rows, ["<", "<", ">", ">", ">", ">", ">", ">", ">"]))
    print()
    print("\n".join(lines))
