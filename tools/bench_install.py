"""Benchmark of the installation on a database with a history: the import of past
deliveries into the installed base (``after_sales.delivery.import``).

tools/bench_install.sh creates a throwaway database with stock, sale_stock, repair,
maintenance and account, then calls

    python tools/bench_install.py generate --config C --database DB [--lines 20000]

which writes two years of deliveries of serial numbers (two companies, 85/15), a few %
of them returned and half of those sold again to another customer, plus as many
delivery lines of untracked products (noise the import must skip): customers and
products through the ORM, lots, transfers, moves and move lines through SQL (done,
dated over the last 730 days; stock levels are not maintained, the import does not
read them). It then installs after_sales_service (timed: its post_init_hook only
starts the import) and calls

    python tools/bench_install.py measure --config C --database DB [--workers 2]

which checks that the installation imported nothing itself, gives the products a
24-month warranty, runs the import cron's method as the cron would (per-batch
commits; ``--workers 2``: two at once in two threads) and prints: time, lines/s,
units created, returns and resales applied, the longest transaction (a batch: the
only locks it takes are its company's import row and the units it writes; stock
tables are only read), queries per line, then the same for a second run (**Run
Again**: nothing may change). It verifies every serial's unit against its last move
(owner = customer of the last delivery, none after a return, one unit per serial).

Exit status: 0 when it ran and the result is right, 1 when the installed base is
wrong, 2 when it could not run.
"""

import argparse
import json
import random
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

PARAM = "after_sales_bench_install.expected"


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("generate", "measure"))
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True)
    parser.add_argument(
        "--lines", type=int, default=20000, help="move lines of serial numbers (20000)"
    )
    parser.add_argument("--returns", type=float, default=4.0, help="%% of the units returned (4)")
    parser.add_argument(
        "--noise",
        type=float,
        default=1.0,
        help="delivery lines of untracked products per serial line (1.0)",
    )
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="batch_size of the cron (its default)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="run the first import in N threads at once (1)"
    )
    args = parser.parse_args(argv)
    if args.lines <= 0 or args.workers <= 0 or not 0 <= args.returns <= 50:
        parser.error("--lines and --workers must be positive, --returns between 0 and 50")
    return args


@contextmanager
def env_cursor(registry):
    from odoo import api  # noqa: PLC0415
    from odoo.api import SUPERUSER_ID  # noqa: PLC0415

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


# ----------------------------------------------------------------------------- generate


def generate(registry, args):
    rng = random.Random(args.seed)
    with env_cursor(registry) as env:
        companies = _companies(env)
        customers = env["res.partner"].create(
            [{"name": f"Bench Customer {i:05d}", "is_company": True} for i in range(args.customers)]
        )
        products = env["product.product"].create(
            [
                {"name": f"Bench Machine {i:02d}", "is_storable": True, "tracking": "serial"}
                for i in range(40)
            ]
        )
        untracked = env["product.product"].create(
            [{"name": f"Bench Consumable {i:02d}", "is_storable": True} for i in range(20)]
        )
        env.flush_all()
        customer_location = env.ref("stock.stock_location_customers").id
        uom = products[0].uom_id.id
        context = {
            "customers": customers.ids,
            "products": products.ids,
            "untracked": untracked.ids,
            "customer_location": customer_location,
            "uom": uom,
        }
        plan = _plan(rng, args, companies, context)
        expected = _insert(env, plan, companies, context)
        env["ir.config_parameter"].set_param(PARAM, json.dumps(expected))
    say(
        f"Generated {expected['serial_lines']} serial move lines ({expected['units']} units, "
        f"{expected['returns']} returns, {expected['resales']} resales) and "
        f"{expected['noise_lines']} untracked lines over 730 days, in {len(companies)} companies"
    )


def _companies(env):
    main = env.ref("base.main_company")
    other = env["res.company"].create({"name": "Bench Company B"})
    result = []
    for company in (main, other):
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        if not warehouse:
            warehouse = (
                env["stock.warehouse"]
                .with_company(company)
                .create({"name": company.name, "code": "BWH", "company_id": company.id})
            )
        result.append(
            {
                "id": company.id,
                "name": company.name,
                "stock": warehouse.lot_stock_id.id,
                "out_type": warehouse.out_type_id.id,
                "in_type": warehouse.in_type_id.id,
                "prefix": warehouse.code,
            }
        )
    return result


def _plan(rng, args, companies, context):
    """Transfers as (company index, kind, partner id, moment, [(product, lot key)])."""
    now = datetime.now().replace(microsecond=0)
    start = now - timedelta(days=730)
    share = args.returns / 100.0
    units = max(1, round(args.lines / (1 + share * 1.5)))
    transfers = []
    unit_index = 0
    while unit_index < units:
        size = min(rng.randint(1, 5), units - unit_index)
        company = 0 if rng.random() < 0.85 else 1
        moment = start + timedelta(seconds=rng.randint(0, 729 * 86400))
        customer = rng.choice(context["customers"])
        lots = []
        for _i in range(size):
            product = rng.choice(context["products"])
            lots.append((product, unit_index))
            unit_index += 1
        transfers.append((company, "out", customer, moment, lots))
        for product, lot in lots:
            if rng.random() >= share:
                continue
            back = moment + timedelta(days=rng.randint(10, 120), hours=rng.randint(0, 8))
            if back >= now:
                continue
            transfers.append((company, "in", customer, back, [(product, lot)]))
            if rng.random() < 0.5:
                again = back + timedelta(days=rng.randint(5, 60))
                if again < now:
                    other = rng.choice([c for c in context["customers"][:50] if c != customer])
                    transfers.append((company, "out", other, again, [(product, lot)]))
    noise = round(args.lines * args.noise)
    done = 0
    while done < noise:
        size = min(rng.randint(1, 5), noise - done)
        company = 0 if rng.random() < 0.85 else 1
        moment = start + timedelta(seconds=rng.randint(0, 729 * 86400))
        lots = [(rng.choice(context["untracked"]), None) for _i in range(size)]
        transfers.append((company, "out", rng.choice(context["customers"]), moment, lots))
        done += size
    transfers.sort(key=lambda transfer: transfer[3])  # created in date order, as in life
    return {"units": units, "transfers": transfers}


def _insert(env, plan, companies, context):
    from psycopg2.extras import execute_values  # noqa: PLC0415

    cr = env.cr
    customer_location = context["customer_location"]
    uom = context["uom"]
    unit_company = {}
    unit_product = {}
    for company, _kind, _partner, _moment, lots in plan["transfers"]:
        for product, lot in lots:
            if lot is not None and lot not in unit_company:
                unit_company[lot] = companies[company]["id"]
                unit_product[lot] = product
    keys = sorted(unit_company)
    lot_ids = execute_values(
        cr._obj,
        "INSERT INTO stock_lot (name, product_id, company_id, create_uid, write_uid, "
        "create_date, write_date) VALUES %s RETURNING id",
        [(f"BSN{key:07d}", unit_product[key], unit_company[key], 1, 1) for key in keys],
        template="(%s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
        page_size=5000,
        fetch=True,
    )
    lot_of = {key: row[0] for key, row in zip(keys, lot_ids, strict=True)}

    counters = {"out": 0, "in": 0}
    stats = {"serial_lines": 0, "noise_lines": 0, "returns": 0, "resales": 0, "by_company": {}}
    delivered = set()
    pickings = []
    for company_index, kind, partner, moment, _lots in plan["transfers"]:
        company = companies[company_index]
        counters[kind] += 1
        name = f"{company['prefix']}/{kind.upper()}/B{counters[kind]:06d}"
        source, dest = (
            (company["stock"], customer_location)
            if kind == "out"
            else (customer_location, company["stock"])
        )
        picking_type = company["out_type"] if kind == "out" else company["in_type"]
        pickings.append(
            (
                name,
                partner,
                source,
                dest,
                picking_type,
                company["id"],
                moment,
                moment,
                moment,
                moment,
            )
        )
    picking_ids = execute_values(
        cr._obj,
        "INSERT INTO stock_picking (name, partner_id, location_id, location_dest_id, "
        "picking_type_id, company_id, scheduled_date, date_done, create_date, move_type, "
        "state, create_uid, write_uid, write_date) VALUES %s RETURNING id",
        pickings,
        template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, 'direct', 'done', 1, 1, %s)",
        page_size=5000,
        fetch=True,
    )
    moves = []
    line_keys = []
    for (company_index, kind, partner, moment, lots), (picking_id,), picking in zip(
        plan["transfers"], picking_ids, pickings, strict=True
    ):
        company = companies[company_index]
        for product, lot in lots:
            moves.append(
                (
                    company["id"],
                    product,
                    uom,
                    picking[2],
                    picking[3],
                    partner,
                    picking_id,
                    picking[4],
                    picking[0],
                    moment,
                )
            )
            line_keys.append(lot)
            if lot is None:
                stats["noise_lines"] += 1
                continue
            stats["serial_lines"] += 1
            by_company = stats["by_company"].setdefault(
                company["name"], {"lines": 0, "units": 0, "returns": 0, "resales": 0}
            )
            by_company["lines"] += 1
            if kind == "in":
                stats["returns"] += 1
                by_company["returns"] += 1
            elif lot in delivered:
                stats["resales"] += 1
                by_company["resales"] += 1
            else:
                delivered.add(lot)
                by_company["units"] += 1
    move_rows = execute_values(
        cr._obj,
        "INSERT INTO stock_move (company_id, product_id, product_uom, location_id, "
        "location_dest_id, location_final_id, partner_id, picking_id, picking_type_id, "
        "reference, date, procure_method, product_uom_qty, product_qty, quantity, state, "
        "picked, create_uid, write_uid, create_date, write_date) VALUES %s "
        "RETURNING id, company_id, product_id, location_id, location_dest_id, picking_id, date",
        moves,
        template="(%s, %s, %s, %s, %s, NULL, %s, %s, %s, %s, %s, 'make_to_stock', 1, 1, 1, "
        "'done', true, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')",
        page_size=5000,
        fetch=True,
    )
    lines = [
        (move_id, picking_id, company_id, product_id, uom, lot_of.get(key), source, dest, date)
        for (move_id, company_id, product_id, source, dest, picking_id, date), key in zip(
            move_rows, line_keys, strict=True
        )
    ]
    execute_values(
        cr._obj,
        "INSERT INTO stock_move_line (move_id, picking_id, company_id, product_id, "
        "product_uom_id, lot_id, location_id, location_dest_id, date, quantity, "
        "quantity_product_uom, state, picked, create_uid, write_uid, create_date, write_date) "
        "VALUES %s",
        lines,
        template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, 1, 1, 'done', true, 1, 1, "
        "now() at time zone 'UTC', now() at time zone 'UTC')",
        page_size=5000,
    )
    cr.execute("ANALYZE stock_move_line")
    cr.execute("ANALYZE stock_move")
    cr.execute("ANALYZE stock_picking")
    stats["units"] = len(delivered)
    return stats


# ----------------------------------------------------------------------------- measure


def measure(registry, args):
    import odoo  # noqa: PLC0415
    from odoo import sql_db  # noqa: PLC0415

    with env_cursor(registry) as env:
        expected = json.loads(env["ir.config_parameter"].get_param(PARAM) or "null")
        if not expected:
            say("bench_install.py: run the generate step first")
            return 2
        Import = env["after_sales.delivery.import"]
        imports = Import.search([])
        before = env["after_sales.equipment"].with_context(active_test=False).search_count([])
        if before or not imports or set(imports.mapped("state")) != {"pending"}:
            say(
                f"bench_install.py: the installation should only start the import: {before} "
                f"units, imports {imports.mapped('state')}"
            )
            return 1
        # the warranty terms a service manager sets first
        products = env["product.product"].search([("name", "like", "Bench Machine")])
        products.product_tmpl_id.write({"warranty_months": 24, "warranty_parts_pct": 100})

    first = _run(registry, args, odoo, sql_db, workers=args.workers)
    with env_cursor(registry) as env:
        report = _report(env)
        wrong = _check(env)
        env["after_sales.delivery.import"].search([])._start_for_companies(
            env["res.company"].search([])
        )
    second = _run(registry, args, odoo, sql_db, workers=1)
    with env_cursor(registry) as env:
        again = _report(env)

    print()
    print(
        f"Import of past deliveries: {expected['serial_lines']} serial lines "
        f"({expected['units']} units, {expected['returns']} returns, {expected['resales']} "
        f"resales) among {expected['serial_lines'] + expected['noise_lines']} delivery lines"
    )
    header = (
        f"{'run':<22} {'lines':>7} {'seconds':>8} {'lines/s':>8} {'units':>7} "
        f"{'returns':>7} {'resales':>7} {'skipped':>7} {'failed':>6} {'batches':>7} "
        f"{'longest tx s':>12} {'queries/line':>12}"
    )
    print(header)
    print("-" * len(header))
    for label, run, rep in (
        (f"first ({args.workers} worker{'s' if args.workers > 1 else ''})", first, report),
        ("run again", second, again),
    ):
        lines = rep["line_count"]
        print(
            f"{label:<22} {lines:>7} {run['seconds']:>8.1f} "
            f"{lines / run['seconds'] if run['seconds'] else 0:>8.0f} {rep['created_count']:>7} "
            f"{rep['returned_count']:>7} {rep['resold_count']:>7} {rep['skipped']:>7} "
            f"{rep['failed_count']:>6} {run['batches']:>7} {run['longest']:>12.2f} "
            f"{run['queries'] / lines if lines else 0:>12.1f}"
        )
    print()
    for company, figures in sorted(report["by_company"].items()):
        exp = expected["by_company"].get(company, {})
        print(
            f"  {company}: {figures['line_count']} lines, {figures['created_count']} units "
            f"(expected {exp.get('units')}), {figures['returned_count']} returns "
            f"(expected {exp.get('returns')}), {figures['resold_count']} resales "
            f"(expected {exp.get('resales')})"
        )
    print(f"  median batch {first['median']:.2f} s; units whose owner is wrong: {wrong}")
    ok = (
        not wrong
        and report["created_count"] == expected["units"]
        and again["created_count"] == 0
        and again["known_count"] == again["line_count"]
    )
    print("  result: " + ("right" if ok else "WRONG"))
    return 0 if ok else 1


def _run(registry, args, odoo, sql_db, workers):
    """Run the cron's method in ``workers`` threads at once, timing each transaction
    (between two commits of ``_commit_progress``)."""
    cron_class = registry["ir.cron"]
    original = cron_class._commit_progress
    marks = []
    lock = threading.Lock()

    def commit_progress(self, processed=0, *, remaining=None, deactivate=False):
        result = original(self, processed, remaining=remaining, deactivate=deactivate)
        with lock:
            marks.append((threading.get_ident(), time.perf_counter()))
        return result

    kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
    starts = {}
    errors = []
    barrier = threading.Barrier(workers)

    def worker():
        try:
            with env_cursor(registry) as env:
                barrier.wait(timeout=60)
                starts[threading.get_ident()] = time.perf_counter()
                env["after_sales.delivery.import"]._cron_import_deliveries(**kwargs)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    cron_class._commit_progress = commit_progress
    try:
        q0 = sql_db.sql_counter
        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - t0
        queries = sql_db.sql_counter - q0
    finally:
        cron_class._commit_progress = original
    if errors:
        raise errors[0]
    durations = []
    last = dict(starts)
    for ident, moment in marks:
        durations.append(moment - last[ident])
        last[ident] = moment
    durations.sort()
    return {
        "seconds": seconds,
        "queries": queries,
        "batches": len(durations),
        "longest": durations[-1] if durations else 0.0,
        "median": durations[len(durations) // 2] if durations else 0.0,
    }


def _report(env):
    fields = [
        "line_count",
        "created_count",
        "returned_count",
        "resold_count",
        "known_count",
        "failed_count",
        "skipped_count",
    ]
    imports = env["after_sales.delivery.import"].search([])
    total = {name: sum(imports.mapped(name)) for name in fields}
    total["skipped"] = total.pop("skipped_count")
    total["by_company"] = {
        record.company_id.name: {name: record[name] for name in fields} for record in imports
    }
    return total


def _check(env):
    """Units whose owner is not what the last move of their serial says, serials
    delivered without a unit, and serials with more than one unit."""
    env.cr.execute(
        """
        WITH last AS (
            SELECT DISTINCT ON (ml.lot_id) ml.lot_id, dest.usage = 'customer' AS at_customer,
                   p.partner_id
              FROM stock_move_line ml
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              JOIN stock_picking p ON p.id = ml.picking_id
             WHERE ml.lot_id IS NOT NULL AND ml.state = 'done'
          ORDER BY ml.lot_id, ml.date DESC, ml.id DESC
        )
        SELECT count(*)
          FROM last
     LEFT JOIN after_sales_equipment e ON e.lot_id = last.lot_id
         WHERE e.id IS NULL
            OR (last.at_customer AND e.partner_id IS DISTINCT FROM last.partner_id)
            OR (NOT last.at_customer AND e.partner_id IS NOT NULL)
        """
    )
    wrong = env.cr.fetchone()[0]
    env.cr.execute(
        "SELECT count(*) FROM (SELECT lot_id FROM after_sales_equipment "
        "WHERE lot_id IS NOT NULL GROUP BY lot_id HAVING count(*) > 1) twice"
    )
    return wrong + env.cr.fetchone()[0]


def main(argv=None):
    args = parse_args(argv)
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True
    )
    registry = Registry(args.database)
    if args.step == "generate":
        generate(registry, args)
        return 0
    return measure(registry, args)


if __name__ == "__main__":
    sys.exit(main())
