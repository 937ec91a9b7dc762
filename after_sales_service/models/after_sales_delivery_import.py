"""The installed base built from the deliveries made before the module was installed."""

import logging
from collections import Counter, defaultdict

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

from .utils import error_message, notify_failure, try_lock

_logger = logging.getLogger(__name__)

# outcome of one move line: counter field of the import
OUTCOME_FIELDS = {
    "created": "created_count",
    "returned": "returned_count",
    "resold": "resold_count",
    "redelivered": "redelivered_count",
    "known": "known_count",
    "no_customer": "no_customer_count",
    "not_delivered": "not_delivered_count",
    "failed": "failed_count",
}
COUNT_FIELDS = ("line_count", *OUTCOME_FIELDS.values())
# a delivery move whose line of the serial is gone sorts after every line of its date
LAST = 2**63
# the next lines are looked for among batch_size * ID_WINDOW ids at a time
ID_WINDOW = 40


class AfterSalesDeliveryImport(models.Model):
    """One per company: the import, in committed batches, of the deliveries and
    returns of serial numbers that were done before the module was installed
    (or that its deliveries hook did not see), into the installed base."""

    _name = "after_sales.delivery.import"
    _description = "Import of Past Deliveries"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        help="Gets the report when the import ends, and an activity for each delivery "
        "that could not be registered.",
    )
    state = fields.Selection(
        [("pending", "Waiting"), ("running", "Running"), ("done", "Done")],
        default="pending",
        required=True,
        readonly=True,
    )
    date_start = fields.Datetime(string="Started", readonly=True)
    date_end = fields.Datetime(string="Finished", readonly=True)
    last_line_id = fields.Integer(
        string="Last Line Read",
        readonly=True,
        help="Id of the last stock move line read: a stopped run resumes after it.",
    )
    cutoff_line_id = fields.Integer(
        string="Last Line Included",
        readonly=True,
        help="Id of the last stock move line when this run started: later lines were "
        "registered by their own validation.",
    )
    line_total = fields.Integer(string="Lines to Read", readonly=True)
    line_count = fields.Integer(string="Lines Read", readonly=True)
    created_count = fields.Integer(string="Units Created", readonly=True)
    returned_count = fields.Integer(string="Returns Applied", readonly=True)
    resold_count = fields.Integer(
        string="Resold",
        readonly=True,
        help="Deliveries of a returned unit to another customer: a new sale, with a new warranty.",
    )
    redelivered_count = fields.Integer(
        string="Delivered Again",
        readonly=True,
        help="Deliveries of a returned unit to the customer who had it: it keeps its warranty.",
    )
    known_count = fields.Integer(
        string="Skipped: Already Registered",
        readonly=True,
        help="Lines the installed base already reflects: registered when they were validated, "
        "by an earlier run, or older than the unit's last registered delivery.",
    )
    no_customer_count = fields.Integer(
        string="Skipped: No Customer",
        readonly=True,
        help="Deliveries without a customer on the transfer or its move.",
    )
    not_delivered_count = fields.Integer(
        string="Skipped: Not Delivered",
        readonly=True,
        help="Returns of serial numbers that no delivery put in the installed base.",
    )
    failed_count = fields.Integer(
        string="Failed",
        readonly=True,
        help="Lines that raised an error: each has an activity for the responsible, on its "
        "transfer. Correct them, then run the import again.",
    )
    skipped_count = fields.Integer(string="Skipped", compute="_compute_skipped_count")
    progress = fields.Float(compute="_compute_progress", help="Share of the lines read (%).")
    summary = fields.Text(compute="_compute_summary")

    _company_unique = models.UniqueIndex(
        "(company_id)", "A company has one import of past deliveries."
    )

    @api.depends("company_id")
    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "Past deliveries of %(company)s", company=record.company_id.name or ""
            )

    @api.depends("known_count", "no_customer_count", "not_delivered_count")
    def _compute_skipped_count(self):
        for record in self:
            record.skipped_count = (
                record.known_count + record.no_customer_count + record.not_delivered_count
            )

    @api.depends("line_count", "line_total", "state")
    def _compute_progress(self):
        for record in self:
            if record.state == "done":
                record.progress = 100.0
            else:
                total = record.line_total
                record.progress = 100.0 * record.line_count / total if total else 0.0

    @api.depends("state", *COUNT_FIELDS)
    def _compute_summary(self):
        for record in self:
            record.summary = "\n".join(
                f"{label}: {value}" for label, value in record._summary_items()
            )

    def _summary_items(self):
        """(label, figure) of what the import did, in the reader's language."""
        self.ensure_one()
        state = dict(self._fields["state"]._description_selection(self.env))[self.state]
        items = [(self._fields["state"].get_description(self.env)["string"], state)]
        if self.date_end:
            items.append(
                (
                    self._fields["date_end"].get_description(self.env)["string"],
                    format_datetime(self.env, self.date_end),
                )
            )
        if self.state != "pending":
            items.append(
                (
                    self._fields["line_count"].get_description(self.env)["string"],
                    f"{self.line_count} / {self.line_total}",
                )
            )
            items += [
                (self._fields[fname].get_description(self.env)["string"], self[fname])
                for fname in OUTCOME_FIELDS.values()
            ]
        return items

    # ------------------------------------------------------------------
    # Starting
    # ------------------------------------------------------------------
    @api.model
    def _start_for_companies(self, companies):
        """Start (or start again) the import of the companies' past deliveries and
        wake the cron up: it runs after this transaction, in its own committed
        batches. Returns the imports."""
        imports = self.sudo().search([("company_id", "in", companies.ids)])
        missing = companies - imports.company_id
        user = self._default_responsible()
        imports |= self.sudo().create([{"company_id": company.id} for company in missing])
        imports._reset()
        imports.user_id = user
        self.env.ref("after_sales_service.ir_cron_delivery_import").sudo()._trigger()
        return imports

    @api.model
    def _default_responsible(self):
        """Who starts the import gets its report, unless it is the system (the
        installation): then the administrator."""
        user = self.env.user
        if user._is_superuser() or user.share:
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or user
        return user

    def _reset(self):
        self.write(
            {
                "state": "pending",
                "date_start": False,
                "date_end": False,
                "last_line_id": 0,
                "cutoff_line_id": 0,
                "line_total": 0,
                **dict.fromkeys(COUNT_FIELDS, 0),
            }
        )

    def action_restart(self):
        """Run the import again (idempotent: what the installed base already
        reflects is skipped). Refused while it runs: the cron finishes it."""
        self.check_access("write")
        running = self.filtered(lambda record: record.state == "running")
        if running:
            raise UserError(
                self.env._(
                    "The import of past deliveries of %(companies)s is running: wait until it "
                    "is done before starting it again.",
                    companies=", ".join(running.company_id.mapped("name")),
                )
            )
        self._start_for_companies(self.company_id)
        return True

    # ------------------------------------------------------------------
    # The cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_import_deliveries(self, batch_size=500):
        """Import the past deliveries of every company whose import is not done,
        ``batch_size`` move lines at a time, each batch committed with its position
        (``_commit_progress``): a stopped run resumes after the last committed
        batch. Two runs at once: each batch locks its company's import (skip
        locked), and the unique index on the serial refuses a second unit."""
        imports = self.sudo().search([("state", "!=", "done")])
        for record in imports:
            while True:
                read = record._import_batch(batch_size)
                if read is None:  # finished, or another worker holds it
                    break
                remaining = record._remaining(imports)
                if self.env["ir.cron"]._commit_progress(read, remaining=remaining) <= 0:
                    return

    def _remaining(self, imports):
        """Lines left to read by ``imports`` (one for an import not begun yet)."""
        return sum(
            max(record.line_total - record.line_count, 0) if record.state == "running" else 1
            for record in imports.exists()
            if record.state != "done"
        )

    def _import_batch(self, batch_size):
        """Register the next ``batch_size`` move lines of this company (or finish).

        Returns the number of lines read, or None when there is nothing to do:
        the import is done, or another worker holds it right now."""
        self.ensure_one()
        if not try_lock(self):
            return None
        self.invalidate_recordset()
        if self.state == "done":
            return None
        if self.state == "pending":
            self._begin()
        lines, position = self._next_lines(batch_size)
        if not lines:
            self.last_line_id = position
            self._finish()
            return 0
        counts = self._register_lines(lines)
        vals = {fname: self[fname] + counts[outcome] for outcome, fname in OUTCOME_FIELDS.items()}
        vals["line_count"] = self.line_count + len(lines)
        vals["last_line_id"] = position
        self.write(vals)
        _logger.info(
            "Past deliveries of %s: %s lines read (%s/%s)",
            self.company_id.name,
            len(lines),
            vals["line_count"],
            self.line_total,
        )
        return len(lines)

    def _line_domain(self):
        """Done move lines of serial numbers of this company between a customer
        location and another one: the deliveries and returns the installed base
        follows (the same as ``after_sales.equipment._register_deliveries``)."""
        customer = Domain("usage", "=", "customer")
        customer_ids = (
            self.env["stock.location"].sudo().with_context(active_test=False)._search(customer)
        )
        to_customer = Domain("location_dest_id", "in", customer_ids)
        from_customer = Domain("location_id", "in", customer_ids)
        return (
            Domain("company_id", "=", self.company_id.id)
            & Domain("state", "=", "done")
            & Domain("lot_id", "!=", False)
            & Domain("quantity", ">", 0)
            & Domain("product_id.tracking", "=", "serial")
            & ((to_customer & ~from_customer) | (from_customer & ~to_customer))
        )

    def _begin(self):
        """Fix the lines of this run: those that exist now (later ones are
        registered when they are validated)."""
        cutoff = self.env.execute_query(SQL("SELECT COALESCE(MAX(id), 0) FROM stock_move_line"))
        cutoff = cutoff[0][0]
        MoveLine = self.env["stock.move.line"].sudo()
        total = MoveLine.search_count(self._line_domain() & Domain("id", "<=", cutoff))
        self.write(
            {
                "state": "running",
                "date_start": fields.Datetime.now(),
                "cutoff_line_id": cutoff,
                "line_total": total,
            }
        )

    def _next_lines(self, batch_size):
        """The next lines after the position, by id, looked for in windows of ids
        (a range of the primary key's index, whatever the size of the table).
        Returns the lines and the position after them."""
        MoveLine = self.env["stock.move.line"].sudo()
        domain = self._line_domain()
        position = self.last_line_id
        while position < self.cutoff_line_id:
            upper = min(position + batch_size * ID_WINDOW, self.cutoff_line_id)
            lines = MoveLine.search(
                domain & Domain("id", ">", position) & Domain("id", "<=", upper),
                order="id",
                limit=batch_size,
            )
            if len(lines) == batch_size:
                return lines, lines[-1].id
            position = upper
            if lines:
                return lines, position
        return MoveLine, position

    def _finish(self):
        self.write({"state": "done", "date_end": fields.Datetime.now()})
        items = Markup("").join(
            Markup("<li>%s: %s</li>") % (label, value) for label, value in self._summary_items()[2:]
        )
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "The import of the past deliveries of %(company)s is done.",
                company=self.company_id.name,
            ),
            items,
        )
        partners = self.user_id.partner_id
        self.message_post(
            body=body,
            partner_ids=partners.ids,
            subtype_xmlid="mail.mt_note",
        )
        _logger.info("Past deliveries of %s: done", self.company_id.name)

    # ------------------------------------------------------------------
    # Registering the lines
    # ------------------------------------------------------------------
    def _register_lines(self, lines):
        """Register ``lines`` in the installed base as their validation would have:
        all at once, or line by line when that fails (a line that fails gets an
        activity; the others go on). Returns a Counter of outcomes."""
        lines = lines.sorted(lambda line: (line.date, line.id))
        try:
            with self.env.cr.savepoint():
                return self._apply_lines(lines)
        except Exception:  # noqa: BLE001 - redone line by line just below
            _logger.info("Registering the batch failed, registering line by line", exc_info=True)
            self.env.invalidate_all()
        counts = Counter()
        for line in lines:
            try:
                with self.env.cr.savepoint():
                    counts += self._apply_lines(line)
            except psycopg2.errors.UniqueViolation:
                # the serial was registered meanwhile (its return or delivery now)
                self.env.invalidate_all()
                counts["known"] += 1
            except Exception as error:  # noqa: BLE001 - one bad line must not stop the others
                self.env.invalidate_all()
                counts["failed"] += 1
                self._notify_line_failure(line, error)
        return counts

    def _apply_lines(self, lines):
        """Register ``lines`` (sorted by date) with ``_register_deliveries``, in
        rounds that hold one line per serial: the first line of each serial, then
        the second one, and so on, so that each serial's history is replayed in
        its order."""
        rounds = defaultdict(list)
        seen = Counter()
        for line in lines:
            rounds[seen[line.lot_id.id]].append(line.id)
            seen[line.lot_id.id] += 1
        counts = Counter()
        # no follower (nobody created them) and no "created" message per unit: its
        # delivery is on the unit; later changes are tracked as usual
        Equipment = (
            self.env["after_sales.equipment"]
            .sudo()
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
        )
        for index in sorted(rounds):
            chunk = lines.browse(rounds[index])
            todo, outcomes = self._classify(chunk)
            counts.update(outcomes)
            if todo:
                Equipment._register_deliveries(todo)
                # as separate validations would: stored computes (the last owner kept
                # after a return) see the values of the round before
                self.env.flush_all()
        return counts

    def _classify(self, lines):
        """What registering ``lines`` (at most one per serial) will do: the lines
        to register and a Counter of their outcomes.

        A line the installed base already reflects is skipped: its serial has a
        unit whose last registered delivery is that line or a later one (the unit
        was delivered since, by hand, by the deliveries hook or by an earlier
        run), or a return of a unit that no customer owns. That makes the import
        idempotent and lets it run after the module registered newer deliveries.
        """
        units = {
            unit.lot_id.id: unit
            for unit in self.env["after_sales.equipment"]
            .sudo()
            .with_context(active_test=False)
            .search([("lot_id", "in", lines.lot_id.ids)])
        }
        positions = self._delivery_positions(units.values())
        todo = []
        outcomes = Counter()
        for line in lines:
            unit = units.get(line.lot_id.id)
            position = unit and positions.get(unit.id)
            if position and (line.date, line.id) <= position:
                outcome = "known"
            elif line.location_dest_id.usage == "customer":
                site = line.picking_id.partner_id or line.move_id.partner_id
                if not site:
                    outcome = "no_customer"
                elif not unit:
                    outcome = "created"
                elif unit.last_partner_id != site.commercial_partner_id:
                    outcome = "resold"
                else:
                    outcome = "redelivered"
            elif not unit:
                outcome = "not_delivered"
            elif not unit.partner_id:
                outcome = "known"
            else:
                outcome = "returned"
            outcomes[outcome] += 1
            if outcome not in ("known", "no_customer", "not_delivered"):
                todo.append(line.id)
        return lines.browse(todo), outcomes

    def _delivery_positions(self, units):
        """{unit id: (date, id) of the move line of its last registered delivery}."""
        units = self.env["after_sales.equipment"].sudo().union(*units)
        moves = units.delivery_move_id
        if not moves:
            return {}
        latest = {}
        for line in self.env["stock.move.line"].sudo().search([("move_id", "in", moves.ids)]):
            key = (line.move_id.id, line.lot_id.id)
            latest[key] = max(latest.get(key, (line.date, line.id)), (line.date, line.id))
        return {
            unit.id: latest.get(
                (unit.delivery_move_id.id, unit.lot_id.id), (unit.delivery_move_id.date, LAST)
            )
            for unit in units
            if unit.delivery_move_id
        }

    def _notify_line_failure(self, line, error):
        """One to-do for the responsible on the line's transfer (else on the import)."""
        message = error_message(error)
        reference = line.picking_id.name or line.move_id.reference or str(line.id)
        serial = line.lot_id.name
        _logger.warning(
            "Past deliveries of %s: line %s (%s, %s) not registered: %s",
            self.company_id.name,
            line.id,
            reference,
            serial,
            message,
        )
        notify_failure(
            line.picking_id or self,
            self.env._("Installed base: serial %(serial)s not registered", serial=serial),
            self.env._(
                "The import of past deliveries could not register %(reference)s of serial "
                "%(serial)s in the installed base: %(error)s. Correct it, then run the import "
                "again (Settings, After-Sales Installed Base).",
                reference=reference,
                serial=serial,
                error=message,
            ),
            self.user_id or self._default_responsible(),
        )
