from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AfterSalesServiceTypeSkill(models.Model):
    """A skill, with a minimum level, that a technician needs for a type of service
    or for the checklist of one."""

    _name = "after_sales.service.type.skill"
    _description = "Required Skill"
    _order = "service_type_id, checklist_template_id, id"

    service_type_id = fields.Many2one("after_sales.service.type", ondelete="cascade", index=True)
    checklist_template_id = fields.Many2one(
        "after_sales.checklist.template", ondelete="cascade", index=True
    )
    skill_type_id = fields.Many2one("hr.skill.type", required=True, ondelete="cascade")
    skill_id = fields.Many2one(
        "hr.skill",
        required=True,
        ondelete="cascade",
        domain="[('skill_type_id', '=', skill_type_id)]",
    )
    skill_level_id = fields.Many2one(
        "hr.skill.level",
        string="Minimum Level",
        required=True,
        ondelete="restrict",
        domain="[('skill_type_id', '=', skill_type_id)]",
    )
    min_level_progress = fields.Integer(
        related="skill_level_id.level_progress", string="Minimum Progress"
    )

    @api.constrains("service_type_id", "checklist_template_id", "skill_id", "skill_level_id")
    def _check_owner_and_type(self):
        for line in self:
            if bool(line.service_type_id) == bool(line.checklist_template_id):
                raise ValidationError(
                    self.env._(
                        "A required skill belongs to a service type or to a checklist, "
                        "not both and not neither."
                    )
                )
            if line.skill_id.skill_type_id != line.skill_type_id or (
                line.skill_level_id.skill_type_id != line.skill_type_id
            ):
                raise ValidationError(
                    self.env._(
                        "The skill %(skill)s and its level must be of the skill type %(type)s.",
                        skill=line.skill_id.name,
                        type=line.skill_type_id.name,
                    )
                )
