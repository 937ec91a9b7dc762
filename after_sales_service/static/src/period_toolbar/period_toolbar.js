import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useSetupAction } from "@web/search/action_hook";

const { DateTime } = luxon;

export function periodLabels() {
    return {
        this_month: _t("This Month"),
        last_month: _t("Last Month"),
        this_quarter: _t("This Quarter"),
        this_year: _t("This Year"),
        custom: _t("Custom"),
    };
}

/** [from, to] ('YYYY-MM-DD', inclusive) of a named period around ``now``. */
export function periodRange(period, now = DateTime.local()) {
    switch (period) {
        case "last_month": {
            const last = now.minus({ months: 1 });
            return [last.startOf("month").toISODate(), last.endOf("month").toISODate()];
        }
        case "this_quarter":
            return [now.startOf("quarter").toISODate(), now.endOf("quarter").toISODate()];
        case "this_year":
            return [now.startOf("year").toISODate(), now.endOf("year").toISODate()];
        default:
            return [now.startOf("month").toISODate(), now.endOf("month").toISODate()];
    }
}

/**
 * The state of a reporting screen: its period and company (kept when the user comes
 * back to it through the breadcrumb), its companies to choose from, its data.
 * ``defaults``: the dates of a screen opened afresh (null: the server chooses).
 */
export function usePeriodState(props, defaults = { dateFrom: null, dateTo: null }) {
    const saved = props.state || {};
    const state = useState({
        period: saved.period || "this_month",
        dateFrom: saved.dateFrom || defaults.dateFrom,
        dateTo: saved.dateTo || defaults.dateTo,
        companyId: saved.companyId || false,
        companies: [],
        data: null,
        loading: false,
    });
    useSetupAction({
        getLocalState: () => ({
            period: state.period,
            dateFrom: state.dateFrom,
            dateTo: state.dateTo,
            companyId: state.companyId,
        }),
    });
    return state;
}

/**
 * The period and company choice of the reporting screens (KPI dashboard, warranty
 * provision reconciliation): a named period or two dates, a company when the user has
 * several, and a refresh button. ``onChange`` receives the new choice, as
 * {period, dateFrom, dateTo, companyId}; the default slot takes more buttons.
 */
export class PeriodToolbar extends Component {
    static template = "after_sales_service.PeriodToolbar";
    static props = {
        period: String,
        dateFrom: { type: [String, { value: null }] },
        dateTo: { type: [String, { value: null }] },
        companies: Array,
        companyId: { type: [Number, { value: false }] },
        allCompaniesLabel: { type: String, optional: true },
        loading: Boolean,
        onChange: Function,
        onRefresh: Function,
        slots: { type: Object, optional: true },
    };

    setup() {
        this.periodLabels = periodLabels();
        this.periods = Object.keys(this.periodLabels);
    }

    get choice() {
        const { period, dateFrom, dateTo, companyId } = this.props;
        return { period, dateFrom, dateTo, companyId };
    }

    onPeriodChange(ev) {
        const period = ev.target.value;
        if (period === "custom") {
            return this.props.onChange({ ...this.choice, period });
        }
        const [dateFrom, dateTo] = periodRange(period);
        return this.props.onChange({ ...this.choice, period, dateFrom, dateTo });
    }

    onDateChange(ev, which) {
        if (!ev.target.value) {
            return;
        }
        return this.props.onChange({ ...this.choice, period: "custom", [which]: ev.target.value });
    }

    onCompanyChange(ev) {
        return this.props.onChange({
            ...this.choice,
            companyId: parseInt(ev.target.value, 10) || false,
        });
    }
}
