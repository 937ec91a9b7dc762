"""The cron part of `make loadtest` (scenario "crons"): the module's crons in two
processes at once, and a cron killed halfway that resumes.

prepare CONF DB TAG N   N units with a monthly plan due today, N/10 running contracts
                        with three periods due, the company's automatic planning on
                        (the unplanned orders of the load wait for the dispatcher)
run CONF DB METHOD...   run cron methods one after the other, as the cron runner does
                        (a commit per batch); METHOD is model:method[:batch_size]
check CONF DB TAG N SINCE  every plan of TAG has exactly one order for its due date, every
                        contract period of TAG exactly one invoice, no technician is
                        booked twice at the same time by orders written since SINCE
                        (UTC); prints the counts, exits 1 on a
                        duplicate or a gap
"""

import sys
from datetime import date

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.modules.registry import Registry

SETUP_CTX = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


def environment(conf, db):
    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    return Registry(db)


def prepare(registry, tag, n):
    today = date.today()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, SETUP_CTX)
        company = env.ref("base.main_company")
        company.after_sales_plan_days = 5
        partner = env["res.partner"].create({"name": f"Cron customer {tag}", "is_company": True})
        product = env["product.product"].create(
            {"name": f"Cron unit {tag}", "is_storable": True, "tracking": "serial"}
        )
        checklist = env["after_sales.checklist.template"].create(
            {
                "name": f"Cron visit {tag}",
                "service_type_id": env.ref("after_sales_service.service_type_preventive").id,
                "line_ids": [Command.create({"name": "Service", "expected_minutes": 60})],
            }
        )
        equipment = env["after_sales.equipment"].create(
            [{"product_id": product.id, "partner_id": partner.id} for _i in range(n)]
        )
        env["after_sales.plan"].create(
            [
                {
                    "name": f"Cron plan {tag}-{i:05d}",
                    "equipment_id": unit.id,
                    "date_start": today,
                    "interval_number": 1,
                    "interval_unit": "month",
                    "horizon_days": 10,
                    "checklist_template_id": checklist.id,
                }
                for i, unit in enumerate(equipment)
            ]
        )
        contracts = env["after_sales.contract"].create(
            [
                {
                    "name": f"Cron contract {tag}-{i:04d}",
                    "partner_id": partner.id,
                    "equipment_ids": [Command.set(unit.ids)],
                    "date_start": today - relativedelta(months=2),
                    "date_end": today + relativedelta(months=10),
                    "price": 10.0,
                }
                for i, unit in enumerate(equipment[: max(1, n // 10)])
            ]
        )
        contracts.action_start()
    print(f"prepared {n} plans and {len(contracts)} contracts ({tag})")


def run(registry, methods):
    for spec in methods:
        model, method, *batch = spec.split(":")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            kwargs = {"batch_size": int(batch[0])} if batch else {}
            getattr(env[model], method)(**kwargs)
            # what the cron runner does after a job


def _counts(cr, tag):
    cr.execute(
        """SELECT count(DISTINCT p.id), count(o.id), count(DISTINCT (o.plan_id, o.plan_date))
             FROM after_sales_plan p
        LEFT JOIN after_sales_order o ON o.plan_id = p.id
            WHERE p.name LIKE %s""",
        [f"Cron plan {tag}-%"],
    )
    return cr.fetchone()


def check(registry, tag, n, since):
    problems = []
    with registry.cursor() as cr:
        plans, orders, distinct = _counts(cr, tag)
        if plans != n or orders != n or distinct != n:
            problems.append(f"plans {plans}: {orders} orders for {distinct} due dates (want {n})")
        cr.execute(
            """SELECT count(DISTINCT c.id), count(m.id),
                      count(DISTINCT (m.after_sales_contract_id, m.after_sales_period_start))
                 FROM after_sales_contract c
            LEFT JOIN account_move m ON m.after_sales_contract_id = c.id
                WHERE c.name LIKE %s""",
            [f"Cron contract {tag}-%"],
        )
        contracts, invoices, periods = cr.fetchone()
        if invoices != periods or invoices != 3 * contracts:
            problems.append(
                f"contracts {contracts}: {invoices} invoices for {periods} periods "
                f"(want {3 * contracts})"
            )
        cr.execute(
            """SELECT count(*)
                 FROM after_sales_order_technician_rel r1
                 JOIN after_sales_order_technician_rel r2
                   ON r2.user_id = r1.user_id AND r2.order_id > r1.order_id
                 JOIN after_sales_order o1 ON o1.id = r1.order_id
                 JOIN after_sales_order o2 ON o2.id = r2.order_id
                WHERE o1.state NOT IN ('cancelled') AND o2.state NOT IN ('cancelled')
                  AND (o1.write_date >= %(since)s OR o2.write_date >= %(since)s)
                  AND tsrange(o1.planned_date_start,
                              COALESCE(o1.planned_date_end, o1.planned_date_start + interval '1h'))
                   && tsrange(o2.planned_date_start,
                              COALESCE(o2.planned_date_end, o2.planned_date_start + interval '1h'))""",
            {"since": since},
        )
        overlaps = cr.fetchone()[0]
        if overlaps:
            problems.append(f"{overlaps} pairs of orders book one technician at the same time")
        # what the dispatcher gave a technician and a slot in this run
        cr.execute(
            """SELECT count(*) FROM after_sales_order o
                WHERE o.write_date >= %s AND o.state = 'new'
                  AND o.planned_date_start IS NOT NULL
                  AND EXISTS (SELECT 1 FROM after_sales_order_technician_rel r
                               WHERE r.order_id = o.id)""",
            [since],
        )
        scheduled = cr.fetchone()[0]
    print(
        f"crons: {orders} orders for {plans} plans, {invoices} invoices for {contracts} "
        f"contracts x 3 periods, {scheduled} orders planned by the dispatcher, "
        f"{overlaps} double bookings"
    )
    for problem in problems:
        print("  PROBLEM:", problem)
    return 1 if problems else 0


def main():
    action, conf, db, *rest = sys.argv[1:]
    registry = environment(conf, db)
    if action == "prepare":
        prepare(registry, rest[0], int(rest[1]))
    elif action == "run":
        run(registry, rest)
    elif action == "check":
        sys.exit(check(registry, rest[0], int(rest[1]), rest[2]))
    else:
        sys.exit(f"unknown action {action}")


if __name__ == "__main__":
    main()
