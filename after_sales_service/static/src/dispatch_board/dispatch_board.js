import { Component, onWillStart, useState } from "@odoo/owl";
import { serializeDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

// the part of the day a cell shows, in local hours
export const DAY_START_HOUR = 6;
export const DAY_END_HOUR = 20;
const DAYS = 5;
const STEP_MINUTES = 15;

/** Monday of the week of a luxon date, as 'YYYY-MM-DD'. */
function mondayOf(date) {
    return date.startOf("day").minus({ days: date.weekday - 1 }).toISODate();
}

/**
 * Local start hour (a float) from the position of a drop in a cell: the cell spans
 * DAY_START_HOUR to DAY_END_HOUR, rounded to STEP_MINUTES.
 */
export function hourFromPosition(offsetX, width) {
    const ratio = width > 0 ? Math.min(Math.max(offsetX / width, 0), 1) : 0;
    const minutes = ratio * (DAY_END_HOUR - DAY_START_HOUR) * 60;
    const rounded = Math.round(minutes / STEP_MINUTES) * STEP_MINUTES;
    return Math.min(DAY_START_HOUR + rounded / 60, DAY_END_HOUR - STEP_MINUTES / 60);
}

export class DispatchBoard extends Component {
    static template = "after_sales_service.DispatchBoard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        const params = this.props.action.params || {};
        const context = this.props.action.context || {};
        const initial =
            this.props.state?.dateStart || params.date_start || context.date_start || null;
        this.state = useState({
            dateStart: initial ? parseStartDate(initial) : mondayOf(DateTime.local()),
            data: null,
            dragOver: null,
            loading: false,
        });
        this.dragged = null;
        if (!this.props.action.name) {
            // opened from a URL with the tag only
            this.env.config.setDisplayName(_t("Dispatch Board"));
        }
        useSetupAction({
            getLocalState: () => ({ dateStart: this.state.dateStart }),
        });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.loading = true;
        try {
            this.state.data = await this.orm.call(
                "after_sales.order",
                "get_dispatch_board_data",
                [this.state.dateStart],
                { days: DAYS }
            );
        } finally {
            this.state.loading = false;
        }
    }

    // ------------------------------------------------------------------
    // Toolbar
    // ------------------------------------------------------------------
    async goTo(date) {
        this.state.dateStart = date;
        await this.load();
    }

    onPrevious() {
        const start = DateTime.fromISO(this.state.dateStart);
        return this.goTo(start.minus({ weeks: 1 }).toISODate());
    }

    onNext() {
        const start = DateTime.fromISO(this.state.dateStart);
        return this.goTo(start.plus({ weeks: 1 }).toISODate());
    }

    onToday() {
        return this.goTo(mondayOf(DateTime.local()));
    }

    onDateChange(ev) {
        if (ev.target.value) {
            return this.goTo(ev.target.value);
        }
    }

    onPlanAutomatically() {
        const data = this.state.data;
        return this.action.doAction("after_sales_service.after_sales_order_dispatch_action", {
            additionalContext: {
                default_date_start: data.horizon_start,
                default_date_end: data.horizon_end,
            },
            onClose: () => this.load(),
        });
    }

    // ------------------------------------------------------------------
    // Grid
    // ------------------------------------------------------------------
    ordersOf(technician, day) {
        return this.state.data.orders.filter(
            (order) => order.date === day.date && order.employee_ids.includes(technician.id)
        );
    }

    loadPercent(technician, day) {
        const { available, planned } = technician.days[day.date];
        if (!available) {
            return planned ? 100 : 0;
        }
        return Math.round(Math.min(planned / available, 1) * 100);
    }

    loadClass(technician, day) {
        const { available, planned } = technician.days[day.date];
        if (planned > available) {
            return "bg-danger";
        }
        return planned > 0.8 * available ? "bg-warning" : "bg-success";
    }

    blockStyle(order) {
        const span = DAY_END_HOUR - DAY_START_HOUR;
        const from = Math.min(Math.max(order.start_hour, DAY_START_HOUR), DAY_END_HOUR);
        const to = Math.min(Math.max(order.end_hour, from + 0.25), DAY_END_HOUR + 0.25);
        const left = ((from - DAY_START_HOUR) / span) * 100;
        const width = Math.max(((to - from) / span) * 100, 4);
        return `left: ${left}%; width: ${Math.min(width, 100 - left)}%;`;
    }

    blockClass(order) {
        return {
            [`o_after_sales_board_block_${order.state}`]: true,
            o_after_sales_board_block_warning: Boolean(order.planning_warning),
            o_after_sales_board_block_locked: order.planning_locked || order.customer_confirmed,
        };
    }

    blockTitle(order) {
        const lines = [`${order.name} - ${order.partner}`, this.formatSlot(order)];
        if (order.planning_locked) {
            lines.push(_t("Locked"));
        }
        if (order.customer_confirmed) {
            lines.push(_t("Confirmed by the customer"));
        }
        if (order.planning_warning) {
            lines.push(order.planning_warning);
        }
        if (order.missing_parts) {
            lines.push(
                order.parts_expected_label
                    ? _t("Waiting for parts, expected %s", order.parts_expected_label)
                    : _t("Waiting for parts, none on the way")
            );
        }
        return lines.join("\n");
    }

    formatSlot(order) {
        const zone = this.state.data.tz;
        const start = DateTime.fromSQL(order.start, { zone: "utc" }).setZone(zone);
        const end = DateTime.fromSQL(order.end, { zone: "utc" }).setZone(zone);
        return `${start.toFormat("HH:mm")} - ${end.toFormat("HH:mm")}`;
    }

    formatHours(hours) {
        const minutes = Math.round((hours || 0) * 60);
        return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
    }

    stars(order) {
        return Array.from({ length: Number(order.priority || 0) }, (_, index) => index);
    }

    openOrder(order) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "after_sales.order",
            res_id: order.id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    // ------------------------------------------------------------------
    // Drag and drop (native HTML5)
    // ------------------------------------------------------------------
    onDragStart(ev, order) {
        this.dragged = order.id;
        if (ev.dataTransfer) {
            ev.dataTransfer.effectAllowed = "move";
            ev.dataTransfer.setData("text/plain", String(order.id));
        }
    }

    onDragEnd() {
        this.dragged = null;
        this.state.dragOver = null;
    }

    draggedId(ev) {
        const id = this.dragged || parseInt(ev.dataTransfer?.getData("text/plain"), 10);
        return Number.isInteger(id) ? id : null;
    }

    onDragOver(ev, key) {
        ev.preventDefault();
        if (ev.dataTransfer) {
            ev.dataTransfer.dropEffect = "move";
        }
        this.state.dragOver = key;
    }

    onDragLeave(ev, key) {
        if (this.state.dragOver === key && !ev.currentTarget.contains(ev.relatedTarget)) {
            this.state.dragOver = null;
        }
    }

    async onDropCell(ev) {
        ev.preventDefault();
        const orderId = this.draggedId(ev);
        this.onDragEnd();
        if (!orderId) {
            return;
        }
        const cell = ev.currentTarget;
        const rect = cell.getBoundingClientRect();
        const hour = hourFromPosition(ev.clientX - rect.left, rect.width);
        const day = DateTime.fromISO(cell.dataset.date, { zone: this.state.data.tz });
        const start = day.set({ hour: Math.floor(hour), minute: Math.round((hour % 1) * 60) });
        const employeeId = parseInt(cell.dataset.employeeId, 10);
        await this.callMove(orderId, "action_board_move", [employeeId, serializeDateTime(start)]);
    }

    async onDropUnassigned(ev) {
        ev.preventDefault();
        const orderId = this.draggedId(ev);
        this.onDragEnd();
        if (orderId && this.state.data.orders.some((order) => order.id === orderId)) {
            await this.callMove(orderId, "action_board_unassign", []);
        }
    }

    async callMove(orderId, method, args) {
        try {
            await this.orm.call("after_sales.order", method, [[orderId], ...args]);
        } catch (error) {
            // refusals of the server (locks, double booking, working time...): say why
            if (!(error instanceof RPCError) || !error.data?.name?.startsWith("odoo.exceptions.")) {
                throw error;
            }
            this.notification.add(error.data.message, {
                title: _t("The order was not moved"),
                type: "danger",
            });
        }
        await this.load();
    }
}

/** 'YYYY-MM-DD' of a given date string, kept as is when valid, else this Monday. */
function parseStartDate(value) {
    const date = DateTime.fromISO(value);
    return date.isValid ? date.toISODate() : mondayOf(DateTime.local());
}

registry.category("actions").add("after_sales_dispatch_board", DispatchBoard);
