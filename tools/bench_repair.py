"""Service-order flow vs Odoo's own repair flow, bench of ``make bench`` (imported by
tools/bench.py, ``--only repair``; issue 25).

N orders (``--repair-orders``, default 200) are driven one at a time the way a user
clicks through them, each click its own transaction (fresh cursor, committed), and
the same N ``repair.order`` of Odoo's ``repair`` app with the same part and labour:

ours    create (one part, one hour of labour, an uncovered unit: all billable),
        ``action_schedule``, ``action_start``, used quantities entered,
        ``action_done`` (part consumed, cost entry posted), ``action_create_invoice``
repair  create (the unit's product, one part as an 'add' line), ``action_validate``
        (confirm, part reserved), ``action_repair_start``, ``action_repair_end``
        (part consumed), ``action_create_sale_order``, the hour of labour added to that
        sale order, ``action_confirm``, ``_create_invoices`` (what "Create Invoice" of
        the sale order ends in)

The orders of the two flows alternate (ours, repair, ours, ...), so that a change of
load on the machine hits both alike; an unmeasured warm-up of ``--repair-warmup``
orders of each fills Odoo's ormcaches first. Per flow it prints queries, CPU ms and
wall ms per order; queries are counted process-wide with ``odoo.sql_db.sql_counter``,
CPU with ``time.process_time`` (the machine may be shared). Both run as the
superuser. The setup (products, technician, units, stock of the part) is the one of
tools/bench_orders.py, with a service type of its own (no checklist, no warranty).

Target (issue 25): ours no dearer per order than repair, in queries and in CPU,
reported OK/MISS only. Skipped (exit status 0) when ``repair`` is not installed
(tools/bench.sh installs ``BENCH_CORE``, default ``repair,sale_management``). Exit
status 2 when the setup fails or an order does not end done and invoiced with the
expected amount; 0 otherwise.
"""

import sys
import time
import traceback
from datetime import timedelta

import bench_orders

DEFAULT_ORDERS = 200
WARMUP = 5
LABOUR_HOURS = 1.0
PART_QTY = 1.0
OURS = "ours"
REPAIR = "repair"
TOLERANCE = 0.005


def add_arguments(parser):
    group = parser.add_argument_group("service-order flow vs Odoo's repair flow")
    group.add_argument(
        "--repair-orders",
        type=int,
        default=DEFAULT_ORDERS,
        help=f"orders of each flow, one at a time (default {DEFAULT_ORDERS})",
    )
    group.add_argument(
        "--repair-warmup",
        type=int,
        default=WARMUP,
        help=f"unmeasured orders of each flow first ({WARMUP})",
    )


def finish_arguments(parser, args):
    if args.repair_orders <= 0:
        parser.error("--repair-orders needs a positive integer")
    if args.repair_warmup < 0:
        parser.error("--repair-warmup cannot be negative")


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class RepairBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args
        self.setup = bench_orders.OrderBench(bench, args)
        self.serial = 0

    def env_cursor(self):
        return self.bench.env_cursor()

    def prepare(self):
        self.setup.prepare()
        with self.env_cursor() as env:
            ctx_env = env(context=bench_orders.SETUP_CTX)
            stype = ctx_env["after_sales.service.type"].search(
                [("code", "=", "bench_repair_flow")], limit=1
            )
            if not stype:
                stype = ctx_env["after_sales.service.type"].create(
                    {
                        "name": "Bench Repair Flow",
                        "code": "bench_repair_flow",
                        "is_warranty_covered": False,
                    }
                )
            self.service_type_id = stype.id
            # the uncovered unit of each customer: everything is billed
            self.units = [
                (self.setup.partner_ids[i // 3], unit_id)
                for i, unit_id in enumerate(self.setup.unit_ids)
                if i % 3 == 2
            ]
            units = env["after_sales.equipment"].browse([u for _p, u in self.units])
            self.machine_ids = {unit.id: unit.product_id.id for unit in units}
            part = env["product.product"].browse(self.setup.part_id)
            labour = env["product.product"].browse(self.setup.product_ids["labour"])
            self.expected_untaxed = round(
                PART_QTY * part.lst_price + LABOUR_HOURS * labour.lst_price, 2
            )
            self.taxes = ", ".join(labour.taxes_id.mapped("name")) or "none"

    def add_stock(self, n):
        with self.env_cursor() as env:
            env["stock.quant"]._update_available_quantity(
                env["product.product"].browse(self.setup.part_id),
                env["stock.location"].browse(self.setup.stock_location_id),
                n * PART_QTY,
            )

    # ------------------------------------------------------------------ flows

    def _ours_steps(self, i):
        from odoo import Command, fields  # noqa: PLC0415

        partner_id, unit_id = self.units[i % len(self.units)]
        state = {}

        def create(env):
            now = fields.Datetime.now()
            order = env["after_sales.order"].create(
                {
                    "service_type_id": self.service_type_id,
                    "partner_id": partner_id,
                    "equipment_id": unit_id,
                    "date_received": now,
                    "planned_date_start": now,
                    "planned_date_end": now + timedelta(hours=1),
                    "technician_ids": [Command.set([self.setup.technician_id])],
                    "line_ids": [
                        Command.create(self.setup._line_vals("part", PART_QTY)),
                        Command.create(self.setup._line_vals("labour", LABOUR_HOURS)),
                    ],
                }
            )
            state["id"] = order.id

        def order(env):
            return env["after_sales.order"].browse(state["id"])

        def used(env):
            for line in order(env).line_ids:
                line.quantity_done = line.quantity

        return state, [
            ("create", create),
            ("schedule", lambda env: order(env).action_schedule()),
            ("start", lambda env: order(env).action_start()),
            ("used", used),
            ("done", lambda env: order(env).action_done()),
            ("invoice", lambda env: order(env).action_create_invoice()),
        ]

    def _repair_steps(self, i):
        from odoo import Command  # noqa: PLC0415

        partner_id, unit_id = self.units[i % len(self.units)]
        state = {}

        def create(env):
            machine = env["product.product"].browse(self.machine_ids[unit_id])
            repair = env["repair.order"].create(
                {
                    "partner_id": partner_id,
                    "product_id": machine.id,
                    "product_uom": machine.uom_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.setup.part_id,
                                "product_uom_qty": PART_QTY,
                                "repair_line_type": "add",
                            }
                        )
                    ],
                }
            )
            state["id"] = repair.id

        def repair(env):
            return env["repair.order"].browse(state["id"])

        def labour(env):
            sale = repair(env).sale_order_id
            sale.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.setup.product_ids["labour"],
                                "product_uom_qty": LABOUR_HOURS,
                            }
                        )
                    ]
                }
            )

        return state, [
            ("create", create),
            ("confirm", lambda env: repair(env).action_validate()),
            ("start", lambda env: repair(env).action_repair_start()),
            ("end", lambda env: repair(env).action_repair_end()),
            ("sale order", lambda env: repair(env).action_create_sale_order()),
            ("labour", labour),
            ("confirm SO", lambda env: repair(env).sale_order_id.action_confirm()),
            ("invoice", lambda env: repair(env).sale_order_id._create_invoices()),
        ]

    def run_one(self, which, i, totals):
        """Drive one order through its flow, each step its own committed transaction;
        adds its queries, CPU and wall seconds to ``totals``; returns its id."""
        from odoo import sql_db  # noqa: PLC0415

        state, steps = (self._ours_steps if which == OURS else self._repair_steps)(i)
        for name, step in steps:
            with self.env_cursor() as env:
                q0, c0, t0 = sql_db.sql_counter, time.process_time(), time.perf_counter()
                step(env)
                env.cr.commit()
                cpu, queries = time.process_time() - c0, sql_db.sql_counter - q0
                totals["cpu"] += cpu
                totals["seconds"] += time.perf_counter() - t0
                totals["queries"] += queries
                by_step = totals.setdefault("steps", {}).setdefault(name, [0, 0.0])
                by_step[0] += queries
                by_step[1] += cpu
        totals["orders"] += 1
        return state["id"]

    # ------------------------------------------------------------------ checks

    def check(self, which, ids):
        problems = []
        with self.env_cursor() as env:
            if which == OURS:
                orders = env["after_sales.order"].browse(ids)
                states = sorted(set(orders.mapped("state")))
                invoices = orders.invoice_ids
            else:
                orders = env["repair.order"].browse(ids)
                states = sorted(set(orders.mapped("state")))
                invoices = orders.sale_order_id.invoice_ids
            if states != ["done"]:
                problems.append(f"{which}: order states {states}, expected done")
            if len(invoices) != len(ids):
                problems.append(f"{which}: {len(invoices)} invoices for {len(ids)} orders")
            amounts = sorted({round(m.amount_untaxed, 2) for m in invoices})
            if any(abs(a - self.expected_untaxed) > TOLERANCE for a in amounts):
                problems.append(
                    f"{which}: untaxed amounts {amounts[:5]}, expected {self.expected_untaxed}"
                )
        return problems


def _per_order(totals):
    n = totals["orders"] or 1
    return {
        "qpo": totals["queries"] / n,
        "cpu_ms": 1000.0 * totals["cpu"] / n,
        "ms": 1000.0 * totals["seconds"] / n,
    }


def run(bench, args, fmt_table):
    """The repair-flow bench; prints its table, returns the exit status."""
    state, version = bench.module_state("repair")
    if state != "installed":
        say(f"bench_repair: Odoo's 'repair' is not installed in {args.database} ({state})")
        print(
            f"Service-order flow vs Odoo repair: skipped, 'repair' is {state} "
            "(BENCH_CORE without repair?)"
        )
        return 0
    rb = RepairBench(bench, args)
    n, warm = args.repair_orders, args.repair_warmup
    try:
        rb.prepare()
        rb.add_stock(2 * (n + warm))
    except Exception as exc:  # noqa: BLE001 - reported, bench exits 2
        traceback.print_exc()
        say(f"bench_repair: cannot set up: {exc}")
        return 2
    totals = {w: {"orders": 0, "queries": 0, "cpu": 0.0, "seconds": 0.0} for w in (OURS, REPAIR)}
    ids = {OURS: [], REPAIR: []}
    problems = []
    try:
        if warm:
            say(f"bench_repair: warm-up, {warm} orders of each flow (not measured)")
            scratch = {w: {"orders": 0, "queries": 0, "cpu": 0.0, "seconds": 0.0} for w in ids}
            for i in range(warm):
                for which in (OURS, REPAIR):
                    rb.run_one(which, i, scratch[which])
        say(f"bench_repair: {n} orders of each flow, one at a time, alternating")
        t0 = time.perf_counter()
        for i in range(n):
            for which in (OURS, REPAIR) if i % 2 == 0 else (REPAIR, OURS):
                ids[which].append(rb.run_one(which, warm + i, totals[which]))
            if (i + 1) % 50 == 0:
                say(f"bench_repair:   {i + 1}/{n} ({time.perf_counter() - t0:.0f} s)")
    except Exception as exc:  # noqa: BLE001 - reported, bench exits 2
        traceback.print_exc()
        problems.append(f"flow failed: {exc}")
    for which in (OURS, REPAIR):
        if ids[which]:
            problems += rb.check(which, ids[which])

    per = {w: _per_order(totals[w]) for w in (OURS, REPAIR)}
    print(
        f"Service-order flow vs Odoo repair {version} -- db {args.database}: "
        f"{n} orders each, one at a time, one transaction per click"
    )
    print(
        f"ours: create (1 part, {LABOUR_HOURS:g} h labour), schedule, start, used "
        "quantities, done, invoice; repair: create (1 part), confirm, start, end, sale "
        f"order + {LABOUR_HOURS:g} h labour, confirm, invoice; untaxed "
        f"{rb.expected_untaxed:g} per invoice (taxes: {rb.taxes})"
    )
    print()
    rows = [["flow", "orders", "queries/order", "cpu ms/order", "wall ms/order"]]
    for which, name in ((OURS, args.module), (REPAIR, "Odoo repair")):
        p = per[which]
        rows.append(
            [
                name,
                totals[which]["orders"],
                f"{p['qpo']:.1f}",
                f"{p['cpu_ms']:.1f}",
                f"{p['ms']:.1f}",
            ]
        )
    ours, rep = per[OURS], per[REPAIR]
    q_ratio = ours["qpo"] / rep["qpo"] if rep["qpo"] else float("inf")
    c_ratio = ours["cpu_ms"] / rep["cpu_ms"] if rep["cpu_ms"] else float("inf")
    w_ratio = ours["ms"] / rep["ms"] if rep["ms"] else float("inf")
    rows.append(["ratio ours/repair", "", f"{q_ratio:.2f}x", f"{c_ratio:.2f}x", f"{w_ratio:.2f}x"])
    print(fmt_table(rows, ["<", ">", ">", ">", ">"]))
    for which, name in ((OURS, "ours"), (REPAIR, "repair")):
        count = totals[which]["orders"] or 1
        steps = ", ".join(
            f"{step} {q / count:.0f} q/{1000.0 * c / count:.0f} ms"
            for step, (q, c) in totals[which].get("steps", {}).items()
        )
        print(f"per step, {name}: {steps}")
    print()
    for what, ratio in (("queries", q_ratio), ("CPU", c_ratio)):
        ok = ratio <= 1.0
        print(
            f"N={n}: target  ours <= repair {what} per order: "
            f"{'OK  ' if ok else 'MISS'} ({ratio:.2f}x)"
        )
    if problems:
        print()
        for problem in problems:
            print(f"CHECK FAILED: {problem}")
        return 2
    return 0
