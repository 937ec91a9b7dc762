"""Load generator of `make loadtest`: N users over JSON-RPC against a running server.

Each virtual user logs in with its own session and, until the time is up, does what
service staff do in the web client, through the same routes: open the lists of orders
and claims, open a form, create claims and orders, plan, start and complete an order
with a labour line, and invoice it. Every create carries a marker (a UUID in its
description); at the end one SQL pass checks that every acknowledged create exists
exactly once, that no unacknowledged one slipped in, and that every invoiced order
is billed once. Prints a table of requests per second and latency per action, and
exits non-zero on an unintended error or a lost or duplicated record.

Usage: loadtest.py --url http://127.0.0.1:8090 --db after_sales_load \
           [--users 20] [--duration 60] [--dsn "host=... dbname=..."] [--json out.json]
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict

import psycopg2
import requests

PASSWORD = "loadtest-Pa55"
# a marker per run: the database may hold the records of earlier runs
MARKER = f"loadtest-{uuid.uuid4().hex[:8]}-"
# odoo exceptions that are a refusal the user is meant to see (a row another user is
# invoicing at this moment, a state already left), not a failure of the server
INTENDED = {"odoo.exceptions.UserError"}

# action -> weight: reading is most of what users do
ACTIONS = {
    "list_orders": 22,
    "open_order": 18,
    "list_claims": 14,
    "open_claim": 10,
    "create_claim": 10,
    "create_order": 12,
    "complete_order": 9,
    "invoice_orders": 5,
    "kpi_dashboard": 3,
    "claim_analysis": 2,
    "provision_report": 2,
}


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name


class Client:
    def __init__(self, url, db):
        self.url = url.rstrip("/")
        self.db = db
        self.session = requests.Session()

    def _post(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
            timeout=180,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            raise RpcError(data.get("name", "error"), data.get("message", body["error"]))
        return body["result"]

    def login(self, login, password):
        return self._post(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
        )

    def call(self, model, method, *args, **kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


ORDER_LIST_SPEC = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "service_type_id": {"fields": {"display_name": {}}},
    "equipment_id": {"fields": {"display_name": {}}},
    "planned_date_start": {},
    "priority": {},
    "state": {},
}
ORDER_FORM_SPEC = dict(
    ORDER_LIST_SPEC,
    description={},
    technician_ids={"fields": {"display_name": {}}},
    task_ids={"fields": {"name": {}, "is_done": {}, "is_mandatory": {}}},
    line_ids={"fields": {"name": {}, "line_type": {}, "quantity": {}}},
    contract_id={"fields": {"display_name": {}}},
    response_deadline={},
    resolution_deadline={},
)
CLAIM_LIST_SPEC = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "category": {},
    "priority": {},
    "state": {},
    "date_received": {},
}
CLAIM_FORM_SPEC = dict(
    CLAIM_LIST_SPEC, description={}, equipment_id={"fields": {"display_name": {}}}
)


class Setup:
    """What the users need, read once as admin: customers, types, technicians."""

    def __init__(self, url, db, users):
        admin = Client(url, db)
        admin.login("admin", "admin")
        self.admin = admin
        ref = self._ref
        self.corrective = ref("after_sales_service", "service_type_corrective")
        self.labour = ref("after_sales_service", "product_labour_hour_demo")
        self.technician_group = ref("after_sales_service", "group_technician")
        manager_group = ref("after_sales_service", "group_manager")
        invoice_group = ref("account", "group_account_invoice")
        # the warranty provision reconciliation is for accountants and auditors
        auditor_group = ref("account", "group_account_readonly")
        company = admin.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
        self.company = company
        # customers without a contract or warranty: their orders are billed in full
        self.customers = admin.call(
            "res.partner", "search", [("name", "=like", "Load test customer %")]
        ) or admin.call(
            "res.partner",
            "create",
            [{"name": f"Load test customer {i:02d}", "is_company": True} for i in range(30)],
        )
        # one technician per user, on a day shift in UTC, so that the users' plans
        # never ask one technician for two places at once (the planner refuses that)
        calendar = admin.call(
            "resource.calendar",
            "search",
            [("name", "=", "Load test shift")],
        ) or [
            admin.call(
                "resource.calendar",
                "create",
                {
                    "name": "Load test shift",
                    "tz": "UTC",
                    "company_id": company,
                    "attendance_ids": [(5, 0, 0)]
                    + [
                        (
                            0,
                            0,
                            {
                                "name": f"Day {day}",
                                "dayofweek": str(day),
                                "hour_from": 7.0,
                                "hour_to": 19.0,
                            },
                        )
                        for day in range(5)
                    ],
                },
            )
        ]
        self.technicians = []  # (user id, employee id), one per load user
        self.logins = []
        existing = {
            u["login"]: u["id"]
            for u in admin.call(
                "res.users", "search_read", [("login", "like", "loadtest_")], ["login"]
            )
        }
        for i in range(users):
            login = f"loadtest_{i:02d}"
            if login not in existing:
                admin.call(
                    "res.users",
                    "create",
                    {
                        "name": f"Load Test {i:02d}",
                        "login": login,
                        "password": PASSWORD,
                        "company_id": company,
                        "company_ids": [(6, 0, [company])],
                        "group_ids": [(6, 0, [manager_group, invoice_group, auditor_group])],
                    },
                )
            self.logins.append(login)
            self.technicians.append(self._technician(f"loadtest_tech_{i:02d}", calendar[0]))

    def _technician(self, login, calendar):
        admin = self.admin
        users = admin.call("res.users", "search", [("login", "=", login)])
        user = (
            users[0]
            if users
            else admin.call(
                "res.users",
                "create",
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "company_id": self.company,
                    "company_ids": [(6, 0, [self.company])],
                    "group_ids": [(6, 0, [self.technician_group])],
                    "tz": "UTC",
                },
            )
        )
        employees = admin.call("hr.employee", "search", [("user_id", "=", user)])
        employee = (
            employees[0]
            if employees
            else admin.call(
                "hr.employee",
                "create",
                {
                    "name": login.replace("_", " ").title(),
                    "user_id": user,
                    "company_id": self.company,
                    "resource_calendar_id": calendar,
                    "tz": "UTC",
                    "is_after_sales_technician": True,
                },
            )
        )
        return user, employee

    def _ref(self, module, name):
        rows = self.admin.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        if not rows:
            raise SystemExit(f"missing {module}.{name}")
        return rows[0]["res_id"]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.refused = defaultdict(int)
        self.errors = defaultdict(int)
        self.error_samples = []
        self.refusal_samples = []
        self.faulted = defaultdict(int)
        self.fault_samples = []
        self.created = {"after_sales.order": {}, "after_sales.claim": {}}
        self.invoiced = set()

    def note_refusal(self, action, error):
        with self.lock:
            if len(self.refusal_samples) < 5:
                self.refusal_samples.append(f"{action}: {error}")

    def record(self, action, seconds, outcome, detail=None):
        with self.lock:
            self.latency[action].append(seconds)
            if outcome == "refused":
                self.refused[action] += 1
            elif outcome == "faulted":
                self.faulted[action] += 1
                if len(self.fault_samples) < 5:
                    self.fault_samples.append(f"{action}: {detail}")
            elif outcome == "error":
                self.errors[action] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{action}: {detail}")


class User(threading.Thread):
    def __init__(self, setup, url, db, login, deadline, stats, seed, faults=False):
        super().__init__(daemon=True)
        self.setup = setup
        self.client = Client(url, db)
        self.login_name = login
        self.deadline = deadline
        self.stats = stats
        self.random = random.Random(seed)
        self.my_orders = []  # (id, state) created by this user
        self.done_orders = []
        self.order_ids = []
        self.claim_ids = []
        self.faults = faults
        self.technician = setup.technicians[seed % 1000]
        # the work recorded is work of the past weeks: the technicians' future days
        # stay free for the dispatcher
        start = datetime.date.today() - datetime.timedelta(days=90)
        self.slot = datetime.datetime.combine(start, datetime.time(7))

    def _login(self):
        for _attempt in range(30):
            try:
                self.client.login(self.login_name, PASSWORD)
                return
            except (requests.RequestException, RpcError):
                time.sleep(1)

    def run(self):
        self._login()
        names, weights = zip(*ACTIONS.items(), strict=True)
        while time.monotonic() < self.deadline:
            action = self.random.choices(names, weights)[0]
            start = time.perf_counter()
            try:
                getattr(self, action)()
            except RpcError as error:
                if error.name in INTENDED:
                    outcome = "refused"
                elif self.faults and not error.name.startswith("odoo.exceptions."):
                    outcome = "faulted"  # the database went away under the request
                else:
                    outcome = "error"
                self.stats.record(action, time.perf_counter() - start, outcome, error)
                if outcome == "refused":
                    self.stats.note_refusal(action, error)
            except requests.RequestException as error:
                # a killed worker or a restarting server: expected only during faults
                outcome = "faulted" if self.faults else "error"
                self.stats.record(action, time.perf_counter() - start, outcome, error)
                if self.faults:
                    self._login()
            else:
                self.stats.record(action, time.perf_counter() - start, "ok")

    # --- reading -----------------------------------------------------------
    def list_orders(self):
        result = self.client.call(
            "after_sales.order",
            "web_search_read",
            [],
            specification=ORDER_LIST_SPEC,
            limit=80,
            order="priority desc, id desc",
            count_limit=10001,
        )
        self.order_ids = [r["id"] for r in result["records"]]

    def open_order(self):
        if not self.order_ids:
            return self.list_orders()
        self.client.call(
            "after_sales.order",
            "web_read",
            [self.random.choice(self.order_ids)],
            specification=ORDER_FORM_SPEC,
        )

    def list_claims(self):
        result = self.client.call(
            "after_sales.claim",
            "web_search_read",
            [],
            specification=CLAIM_LIST_SPEC,
            limit=80,
            order="id desc",
            count_limit=10001,
        )
        self.claim_ids = [r["id"] for r in result["records"]]

    def open_claim(self):
        if not self.claim_ids:
            return self.list_claims()
        self.client.call(
            "after_sales.claim",
            "web_read",
            [self.random.choice(self.claim_ids)],
            specification=CLAIM_FORM_SPEC,
        )

    def kpi_dashboard(self):
        today = datetime.date.today()
        self.client.call(
            "after_sales.kpi",
            "get_kpis",
            (today - datetime.timedelta(days=29)).isoformat(),
            today.isoformat(),
        )

    def claim_analysis(self):
        # the claims' pivot view: claims by category and state
        self.client.call(
            "after_sales.claim",
            "formatted_read_group",
            [],
            groupby=["category", "state"],
            aggregates=["__count"],
        )

    def provision_report(self):
        # the accountant's reconciliation of the warranty provision, this month
        self.client.call("after_sales.provision.report", "get_report")

    # --- writing -----------------------------------------------------------
    def _create(self, model, vals):
        marker = MARKER + uuid.uuid4().hex
        vals = dict(vals, description=f"<p>{marker}</p>")
        record_id = self.client.call(model, "create", vals)
        if isinstance(record_id, list):
            record_id = record_id[0]
        with self.stats.lock:
            self.stats.created[model][marker] = record_id
        return record_id

    def create_claim(self):
        self._create(
            "after_sales.claim",
            {"partner_id": self.random.choice(self.setup.customers), "category": "other"},
        )

    def create_order(self):
        order_id = self._create(
            "after_sales.order",
            {
                "partner_id": self.random.choice(self.setup.customers),
                "service_type_id": self.setup.corrective,
            },
        )
        self.my_orders.append(order_id)

    def complete_order(self):
        if not self.my_orders:
            return self.create_order()
        order_id = self.my_orders.pop(0)
        technician, employee = self.technician
        start = self._next_slot()
        call = self.client.call
        call(
            "after_sales.order",
            "write",
            [order_id],
            {
                "technician_ids": [(6, 0, [technician])],
                "planned_date_start": start.strftime("%Y-%m-%d %H:%M:%S"),
                "planned_date_end": (start + datetime.timedelta(hours=1, minutes=45)).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
            },
        )
        call("after_sales.order", "action_schedule", [order_id])
        call("after_sales.order", "action_start", [order_id])
        tasks = call("after_sales.order.task", "search", [("order_id", "=", order_id)])
        if tasks:
            call("after_sales.order.task", "write", tasks, {"is_done": True})
        call(
            "after_sales.order.line",
            "create",
            {
                "order_id": order_id,
                "line_type": "labour",
                "employee_id": employee,
                "product_id": self.setup.labour,
                "quantity": 1.5,
                "quantity_done": 1.5,
            },
        )
        call("after_sales.order", "action_done", [order_id])
        self.done_orders.append(order_id)

    def _next_slot(self):
        """The technician's next two-hour slot on a weekday (07:00-17:00 UTC), from
        90 days ago on."""
        slot = self.slot
        while slot.weekday() >= 5 or not 7 <= slot.hour <= 15:
            slot = (slot + datetime.timedelta(days=1)).replace(hour=7)
        self.slot = slot + datetime.timedelta(hours=2)
        return slot

    def invoice_orders(self):
        if not self.done_orders:
            return self.complete_order()
        batch, self.done_orders = self.done_orders[:3], self.done_orders[3:]
        self.client.call("after_sales.order", "action_create_invoice", batch)
        with self.stats.lock:
            self.stats.invoiced.update(batch)


def check_records(dsn, stats, faults=False):
    """One SQL pass: every acknowledged create exactly once, none unacknowledged (but
    during faults, when the answer of a committed create can be lost), every invoiced
    order billed once and no order of the run on two invoices. Returns the problems
    and the number of records created whose answer was lost."""
    problems = []
    lost_answers = 0
    with psycopg2.connect(dsn) as conn, conn.cursor() as cr:
        for model, table in (
            ("after_sales.order", "after_sales_order"),
            ("after_sales.claim", "after_sales_claim"),
        ):
            cr.execute(
                f"""SELECT substring(description from %s), array_agg(id)
                      FROM {table} WHERE description LIKE %s GROUP BY 1""",  # noqa: S608
                (f"({MARKER}[0-9a-f]{{32}})", f"%{MARKER}%"),
            )
            found = dict(cr.fetchall())
            acked = stats.created[model]
            for marker, record_id in acked.items():
                ids = found.get(marker, [])
                if ids != [record_id]:
                    problems.append(f"{model} {marker}: acknowledged {record_id}, found {ids}")
            extra = set(found) - set(acked)
            duplicated = [marker for marker in extra if len(found[marker]) > 1]
            if duplicated:
                problems.append(f"{model}: {len(duplicated)} unacknowledged creates twice")
            if extra and not faults:
                problems.append(f"{model}: {len(extra)} created but never acknowledged")
            lost_answers += len(extra)
        if stats.invoiced:
            cr.execute(
                """SELECT after_sales_order_id, count(DISTINCT move_id)
                     FROM account_move_line
                    WHERE after_sales_order_id = ANY(%s)
                 GROUP BY after_sales_order_id""",
                (sorted(stats.invoiced),),
            )
            billed = dict(cr.fetchall())
            for order_id in stats.invoiced:
                if billed.get(order_id) != 1:
                    problems.append(
                        f"order {order_id}: invoiced on {billed.get(order_id, 0)} invoices"
                    )
        cr.execute(
            """SELECT count(*) FROM (
                 SELECT aml.after_sales_order_id
                   FROM account_move_line aml
                   JOIN after_sales_order o ON o.id = aml.after_sales_order_id
                  WHERE o.description LIKE %s
               GROUP BY aml.after_sales_order_id
                 HAVING count(DISTINCT aml.move_id) > 1) twice""",
            (f"%{MARKER}%",),
        )
        twice = cr.fetchone()[0]
        if twice:
            problems.append(f"{twice} orders of the run are on two invoices")
        # half-written: a customer invoice of the run without a line or a total
        cr.execute(
            """SELECT count(DISTINCT m.id)
                 FROM account_move m
                 JOIN account_move_line aml ON aml.move_id = m.id
                 JOIN after_sales_order o ON o.id = aml.after_sales_order_id
                WHERE o.description LIKE %s
                  AND m.amount_total <= 0""",
            (f"%{MARKER}%",),
        )
        broken = cr.fetchone()[0]
        if broken:
            problems.append(f"{broken} invoices of the run without an amount")
    return problems, lost_answers


def percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def report(stats, elapsed, users, scenario):
    rows = []
    total = 0
    print(f"\n{scenario}: {users} users, {elapsed:.0f} s\n")
    header = f"{'action':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
    print(header + f"{'refused':>9}{'errors':>8}{'faulted':>9}")
    print("-" * (len(header) + 26))
    for action in ACTIONS:
        values = stats.latency.get(action, [])
        if not values:
            continue
        total += len(values)
        row = {
            "action": action,
            "requests": len(values),
            "rps": len(values) / elapsed,
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 95) * 1000,
            "refused": stats.refused[action],
            "errors": stats.errors[action],
            "faulted": stats.faulted[action],
        }
        rows.append(row)
        print(
            f"{action:<16}{row['requests']:>9}{row['rps']:>8.1f}{row['p50_ms']:>9.0f}"
            f"{row['p95_ms']:>9.0f}{row['refused']:>9}{row['errors']:>8}{row['faulted']:>9}"
        )
    print("-" * (len(header) + 26))
    print(
        f"{'all':<16}{total:>9}{total / elapsed:>8.1f}{'':>18}"
        f"{sum(stats.refused.values()):>9}{sum(stats.errors.values()):>8}"
        f"{sum(stats.faulted.values()):>9}"
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--dsn", required=True, help="libpq connection string for the checks")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="single", help="a name for the report")
    parser.add_argument(
        "--faults",
        action="store_true",
        help="workers are killed and the database restarted during the run: failed "
        "requests count as faulted, and a create whose answer was lost may exist",
    )
    args = parser.parse_args()

    setup = Setup(args.url, args.db, args.users)
    stats = Stats()
    deadline = time.monotonic() + args.duration
    users = [
        User(setup, args.url, args.db, login, deadline, stats, args.seed * 1000 + i, args.faults)
        for i, login in enumerate(setup.logins)
    ]
    start = time.monotonic()
    for user in users:
        user.start()
    for user in users:
        user.join()
    elapsed = time.monotonic() - start
    rows = report(stats, elapsed, args.users, args.scenario)
    problems, lost_answers = check_records(args.dsn, stats, args.faults)
    created = {model: len(acked) for model, acked in stats.created.items()}
    print(
        f"\ncreated: {created['after_sales.order']} orders, "
        f"{created['after_sales.claim']} claims, {len(stats.invoiced)} orders invoiced; "
        f"lost, duplicated or half-written: {len(problems)}"
        + (f"; created but the answer lost in a fault: {lost_answers}" if args.faults else "")
    )
    for sample in stats.fault_samples:
        print("  faulted:", sample)
    for sample in stats.refusal_samples:
        print("  refused:", sample)
    for sample in stats.error_samples:
        print("  error:", sample)
    for problem in problems[:20]:
        print("  record:", problem)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "scenario": args.scenario,
                    "users": args.users,
                    "seconds": elapsed,
                    "rows": rows,
                    "created": created,
                    "invoiced": len(stats.invoiced),
                    "problems": problems,
                    "faulted": sum(stats.faulted.values()),
                    "lost_answers": lost_answers,
                    "errors": sum(stats.errors.values()),
                },
                handle,
                indent=1,
            )
    if problems or sum(stats.errors.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
