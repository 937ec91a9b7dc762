"""Claim-intake bench of ``make bench`` (imported by tools/bench.py, ``--only claims``).

N incoming claim emails (default 1,000; ``--quick``: 100), raw RFC 822 strings from
known customers with a serial number in the subject, go through
``env['mail.thread'].message_process(model, raw)``:

ours      into ``after_sales.claim``: sender matched to a customer, serial found in
          the subject (one query), unit, intake checks (delivery, coverage at
          delivery and today), SLA deadlines, number, and the acknowledgement
          posted to the customer;
baseline  the very same emails into ``res.partner``, a plain ``mail.thread`` model of
          Odoo's base whose ``message_new`` is the default one (a record named after
          the subject, its email from the sender): what the mail gateway costs with
          no business logic at all. (No community model with a mail alias and a
          plain ``message_new`` is installed with this module: ``crm.lead``,
          ``project.task`` and ``hr.applicant`` are in other apps.)

Setup (not measured, committed): ``--customers`` customers with an email address and
four serial-tracked units each, delivered by a validated delivery. Each measure runs
as the superuser on a fresh cursor, after an unmeasured warm-up of its own emails,
and covers the ``message_process`` calls plus ``cr.flush()``; the result is checked
(N claims, each with the serial of its subject and the customer of its sender) and
rolled back. Queries are counted process-wide with ``odoo.sql_db.sql_counter``.

Target: ours at most ``--claim-max-ratio`` (1.5) x the baseline's queries per email;
exit status 1 when missed, 2 when the bench cannot run or creates wrong claims.
"""

import sys
import time
import traceback

DEFAULT_SIZES = "1000"
QUICK_SIZES = "100"
MAX_RATIO = 1.5
UNITS_PER_CUSTOMER = 4
OURS = "after_sales.claim"
BASELINE = "res.partner"

RAW = """Return-Path: <{email}>
To: claims@bench.example.com
From: "{name}" <{email}>
Subject: Claim: unit {serial} does not start
Message-ID: <bench-claim-{tag}-{i}@customer.example.com>
Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Hello, our machine {serial} stopped working this morning. Please send someone.
"""


def add_arguments(parser):
    parser.add_argument(
        "--claim-sizes", default=None, help="numbers of claim emails (default 1000)"
    )
    parser.add_argument(
        "--claim-max-ratio",
        type=float,
        default=MAX_RATIO,
        help="queries per email of ours / baseline (default 1.5)",
    )
    parser.add_argument("--claim-warmup", type=int, default=20)


def finish_arguments(parser, args):
    sizes = args.claim_sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    try:
        args.claim_sizes = [int(s) for s in str(sizes).split(",") if s.strip()]
    except ValueError:
        parser.error("--claim-sizes takes comma-separated integers")
    if not args.claim_sizes or min(args.claim_sizes) <= 0:
        parser.error("--claim-sizes needs positive integers")


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class ClaimBench:
    def __init__(self, bench, args):
        self.bench = bench
        self.args = args

    def prepare(self):
        """Customers with an email address, each with delivered serial-tracked units."""
        from odoo import Command  # noqa: PLC0415

        with self.bench.env_cursor() as env:
            ctx = {"tracking_disable": True, "mail_create_nolog": True}
            env = env(context=ctx)
            customers = env["res.partner"].create(
                [
                    {
                        "name": f"Claim Customer {i:03d}",
                        "email": f"claims-customer{i}@example.com",
                        "is_company": True,
                    }
                    for i in range(self.args.customers)
                ]
            )
            product = env["product.product"].create(
                {"name": "Bench Claim Machine", "is_storable": True, "tracking": "serial"}
            )
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            stock = warehouse.lot_stock_id
            customer_location = env.ref("stock.stock_location_customers")
            self.units = []  # (customer name, email, partner id, serial, lot id)
            for i, customer in enumerate(customers):
                lots = env["stock.lot"].create(
                    [
                        {"name": f"BCM-{i:03d}-{j}", "product_id": product.id}
                        for j in range(UNITS_PER_CUSTOMER)
                    ]
                )
                for lot in lots:
                    env["stock.quant"]._update_available_quantity(product, stock, 1.0, lot_id=lot)
                picking = env["stock.picking"].create(
                    {
                        "picking_type_id": warehouse.out_type_id.id,
                        "partner_id": customer.id,
                        "location_id": stock.id,
                        "location_dest_id": customer_location.id,
                        "move_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": len(lots),
                                    "location_id": stock.id,
                                    "location_dest_id": customer_location.id,
                                }
                            )
                        ],
                    }
                )
                picking.action_confirm()
                picking.action_assign()
                picking.move_ids.picked = True
                picking.button_validate()
                self.units += [
                    (customer.name, customer.email, customer.id, lot.name, lot.id) for lot in lots
                ]

    def emails(self, tag, n):
        return [
            (
                unit,
                RAW.format(name=unit[0], email=unit[1], serial=unit[3], tag=tag, i=i),
            )
            for i, unit in enumerate(self.units[i % len(self.units)] for i in range(n))
        ]

    def run(self, model, tag, n, measured=True):
        from odoo import sql_db  # noqa: PLC0415

        emails = self.emails(f"{tag}-{model}", n)
        with self.bench.env_cursor() as env:
            cr = env.cr
            try:
                env.invalidate_all()
                thread = env["mail.thread"]
                ids = []
                q0, t0 = sql_db.sql_counter, time.perf_counter()
                for _unit, raw in emails:
                    ids.append(thread.message_process(model, raw))
                cr.flush()
                seconds = time.perf_counter() - t0
                queries = sql_db.sql_counter - q0
                problems = self._check(env, model, ids, emails) if measured else []
            finally:
                cr.rollback()
        return {
            "emails": n,
            "seconds": seconds,
            "queries": queries,
            "eps": n / seconds if seconds else 0.0,
            "qpe": queries / n,
            "problems": problems,
        }

    def _check(self, env, model, ids, emails):
        records = env[model].browse(ids)
        if len(set(ids)) != len(emails):
            return [f"{model}: {len(set(ids))} records for {len(emails)} emails"]
        if model != OURS:
            return []
        problems = []
        for claim, (unit, _raw) in zip(records, emails, strict=True):
            if claim.lot_id.id != unit[4] or claim.partner_id.id != unit[2]:
                problems.append(f"{claim.name}: lot {claim.lot_id.name}, expected {unit[3]}")
            elif claim.needs_review:
                problems.append(f"{claim.name}: flagged {claim.review_reason_keys}")
        return problems[:5]


def run(bench, args, fmt_table):
    claims = ClaimBench(bench, args)
    try:
        say("claims: preparing customers and delivered units")
        claims.prepare()
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 2
    rows = [["N", "model", "emails", "seconds", "emails/s", "queries", "queries/email"]]
    status = 0
    for n in args.claim_sizes:
        results = {}
        for model in (BASELINE, OURS):
            claims.run(model, "warmup", args.claim_warmup, measured=False)
            say(f"claims: {n} emails into {model}")
            results[model] = res = claims.run(model, f"n{n}", n)
            if res["problems"]:
                say(f"claims: wrong records for {model}: {res['problems']}")
                status = 2
            rows.append(
                [
                    n,
                    model,
                    n,
                    f"{res['seconds']:.2f}",
                    f"{res['eps']:.1f}",
                    res["queries"],
                    f"{res['qpe']:.1f}",
                ]
            )
        ratio = results[OURS]["qpe"] / results[BASELINE]["qpe"]
        ok = ratio <= args.claim_max_ratio
        rows.append([n, "ratio ours/baseline", "", "", "", "", f"{ratio:.2f}x"])
        print(
            f"claims N={n}: queries per email ours/baseline {ratio:.2f}x "
            f"(target <= {args.claim_max_ratio}x): {'OK' if ok else 'MISS'}"
        )
        if not ok:
            status = max(status, 1)
    print("Claim intake by email: message_process, ours vs plain res.partner")
    print(fmt_table(rows, ["r", "l", "r", "r", "r", "r", "r"]))
    return status
