from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain

# What places a reading: a technician does not move a reading to another unit or order.
PLACING_FIELDS = ("equipment_id", "order_id")


class AfterSalesMeterReading(models.Model):
    """A meter value read on a unit, usually by the technician during an order."""

    _name = "after_sales.meter.reading"
    _description = "Meter Reading"
    _order = "equipment_id, meter_id, date desc, id desc"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "after_sales.equipment", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="equipment_id.company_id", store=True, index=True)
    meter_id = fields.Many2one("after_sales.meter", required=True, index=True)
    unit = fields.Char(related="meter_id.unit")
    order_id = fields.Many2one(
        "after_sales.order", index="btree_not_null", ondelete="set null", check_company=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    value = fields.Float(required=True)

    _equipment_meter_date_idx = models.Index("(equipment_id, meter_id, date)")

    _value_positive = models.Constraint(
        "CHECK (value >= 0)",
        "A meter reading cannot be negative.",
    )

    def write(self, vals):
        self._check_technician_placing(vals)
        return super().write(vals)

    def _check_technician_placing(self, vals):
        """A technician records readings on the unit of their own orders (the record
        rules and ``_check_order_unit``); the reading stays where it was recorded:
        its unit and order are not theirs to change afterwards (rules are checked
        before a write, not after it)."""
        if self.env.su or self.env.user.has_group("after_sales_service.group_user"):
            return
        for fname in PLACING_FIELDS:
            if fname in vals and any(reading[fname].id != vals[fname] for reading in self):
                raise AccessError(
                    self.env._(
                        "As a technician you cannot move a meter reading to another unit "
                        "or order: record a new reading on your order."
                    )
                )

    @api.constrains("order_id", "equipment_id")
    def _check_order_unit(self):
        """A reading taken during an order is a reading of the order's unit."""
        # sudo: the order's unit, whoever records (the rules decide the reading)
        for reading in self.sudo().filtered("order_id"):
            order = reading.order_id
            if not order.equipment_id:
                raise ValidationError(
                    self.env._(
                        "Service order %(order)s is for no unit: a meter reading cannot be "
                        "recorded during it.",
                        order=order.name,
                    )
                )
            if order.equipment_id != reading.equipment_id:
                raise ValidationError(
                    self.env._(
                        "A meter reading recorded during %(order)s is a reading of its unit "
                        "%(unit)s, not of %(other)s.",
                        order=order.name,
                        unit=order.equipment_id.display_name,
                        other=reading.equipment_id.display_name,
                    )
                )

    @api.constrains("value", "date", "equipment_id", "meter_id")
    def _check_monotonic(self):
        """A meter only counts up: a reading lies between the readings before and
        after its date (a reading entered late is checked against both)."""
        for reading in self:
            if reading.value < 0:
                raise ValidationError(self.env._("A meter reading cannot be negative."))
            before = Domain("date", "<=", reading.date) & Domain("value", ">", reading.value)
            after = Domain("date", ">=", reading.date) & Domain("value", "<", reading.value)
            other = self.search(
                Domain("equipment_id", "=", reading.equipment_id.id)
                & Domain("meter_id", "=", reading.meter_id.id)
                & Domain("id", "!=", reading.id)
                & (before | after),
                limit=1,
            )
            if not other:
                continue
            values = {
                "meter": reading.meter_id.name,
                "equipment": reading.equipment_id.display_name,
                "old": other.value,
                "date": other.date,
                "new": reading.value,
            }
            if other.value > reading.value:
                message = self.env._(
                    "%(meter)s of %(equipment)s read %(old)s on %(date)s: a later reading "
                    "cannot be lower (%(new)s).",
                    **values,
                )
            else:
                message = self.env._(
                    "%(meter)s of %(equipment)s read %(old)s later, on %(date)s: an "
                    "earlier reading cannot be higher (%(new)s).",
                    **values,
                )
            raise ValidationError(message)
