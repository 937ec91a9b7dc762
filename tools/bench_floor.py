"""The floor of the contract-invoicing bench (imported by tools/bench.py).

The floor is the cost of the invoices of our contract cron made by one bare batched
``env["account.move"].create(vals_list)``: the physical limit of invoicing through
Odoo's tax engine. For a size N it creates N contracts like the ones our cron
invoices (same customers, product, price, period), committed but left in draft so
that no cron ever sees them. Then, on a fresh cursor, in one transaction that is
rolled back at the end (nothing of it stays in the database):

1. the contracts are started (not measured);
2. the invoice values are captured from our own code: ``_invoice_next_period()``
   runs with ``account.move.create`` replaced by a stub that records its
   ``vals_list`` and context and stops the call, so the floor bills exactly what
   our cron would (partner, journal, currency, product, taxes, period fields,
   labels), with the same context (tracking off), and follows the module when it
   changes. Our code posts nothing (draft invoices), so the floor posts nothing;
3. the ORM cache is emptied, then the measure: ``Move.with_context(ctx).create(vals_list)``
   and ``cr.flush()`` (the flush and pre-commit hooks of the COMMIT that our
   measure ends with; the COMMIT itself is no query and costs a few milliseconds);
4. the invoices are checked like ours, then everything is rolled back.
"""

from contextlib import suppress
from unittest import mock

FLOOR_LABEL = "floor"
FLOOR_NAME = "floor: account.move.create batch"


class _Captured(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the create stub once the values are recorded."""


def capture_invoice_vals(contracts):
    """(vals_list, context) that our ``_invoice_next_period`` passes to
    ``account.move.create`` for ``contracts``; nothing is created or written.
    Every call of create is recorded (normally one); their values are joined."""
    env = contracts.env
    move_class = type(env["account.move"])
    calls = []

    def stub(records, vals_list):
        vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
        calls.append((vals_list, dict(records.env.context)))
        raise _Captured

    with (
        suppress(_Captured),
        env.cr.savepoint(),
        mock.patch.object(move_class, "create", stub),
    ):
        contracts._invoice_next_period()
    env.invalidate_all()
    if not calls:
        raise RuntimeError("_invoice_next_period() did not call account.move.create")
    contexts = {tuple(sorted(ctx.items())) for _vals, ctx in calls}
    if len(contexts) > 1:
        raise RuntimeError(f"account.move.create called with {len(contexts)} contexts")
    return [vals for vals_list, _ctx in calls for vals in vals_list], calls[0][1]


def create_contracts(bench, n):
    """N contracts like ``bench.create_ours(n)``, left in draft (never due)."""
    return bench.create_ours(n, start=False)


def run(bench, contract_ids, measured=True):
    """The floor for ``contract_ids`` (draft contracts of ``create_contracts``);
    returns the same measures and checks as ``bench.run``."""
    import time  # noqa: PLC0415

    from odoo import sql_db  # noqa: PLC0415

    profiler = None
    if bench.args.profile and measured:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
    with bench.env_cursor() as env:
        cr = env.cr
        try:
            before = bench._max_move_id(env)
            contracts = env["after_sales.contract"].browse(contract_ids)
            contracts.with_context(tracking_disable=True, mail_notrack=True).action_start()
            env.flush_all()
            env.invalidate_all()
            vals_list, context = capture_invoice_vals(contracts)
            if len(vals_list) != len(contract_ids):
                raise RuntimeError(
                    f"captured {len(vals_list)} invoice values for {len(contract_ids)} contracts"
                )
            Move = env["account.move"].with_context(**context)
            q0, t0 = sql_db.sql_counter, time.perf_counter()
            c0 = time.process_time()
            if profiler:
                profiler.enable()
            Move.create(vals_list)
            cr.flush()  # what COMMIT does before committing
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
            queries = sql_db.sql_counter - q0
            if profiler:
                profiler.disable()
                bench._print_profile(profiler, FLOOR_LABEL, len(contract_ids))
            check = bench._check(env, FLOOR_LABEL, before, contract_ids)
        finally:
            cr.rollback()  # nothing of the floor stays: contracts back to draft
    invoices = check["invoices"]
    return {
        "which": FLOOR_LABEL,
        "invoices": invoices,
        "seconds": seconds,
        "cpu": cpu,
        "queries": queries,
        "ips": invoices / seconds if seconds else 0.0,
        "qpi": queries / invoices if invoices else float("inf"),
        "context": sorted(k for k in context if k not in env.context),
        **check,
    }


def share(ours, floor):
    """Ours as a share of the floor, {"time", "queries", "cpu"} in % (None when the
    floor measured nothing): per invoice, so equal counts compare like totals."""
    if not floor or not floor["invoices"] or not ours or not ours["invoices"]:
        return None

    def per_invoice(res, key):
        return res[key] / res["invoices"]

    def pct(key):
        base = per_invoice(floor, key)
        return 100.0 * per_invoice(ours, key) / base if base else None

    return {"time": pct("seconds"), "queries": pct("queries"), "cpu": pct("cpu")}
