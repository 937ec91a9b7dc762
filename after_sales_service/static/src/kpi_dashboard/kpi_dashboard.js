import { Component, onWillStart, onWillUnmount, useEffect, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/core/utils/numbers";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { PeriodToolbar, periodRange, usePeriodState } from "@after_sales_service/period_toolbar/period_toolbar";

const { DateTime } = luxon;

export const KPI_GROUPS = ["quality", "satisfaction", "criteria", "standards"];

function groupLabels() {
    return {
        quality: _t("Quality"),
        satisfaction: _t("Satisfaction"),
        criteria: _t("Service Criteria"),
        standards: _t("Service Standards"),
    };
}

/** The value of a figure with its unit, or "No data". */
export function formatKpiValue(value, unit) {
    if (value === null || value === undefined) {
        return _t("No data");
    }
    switch (unit) {
        case "count":
            return formatFloat(value, { digits: [false, 0] });
        case "%":
            return `${formatFloat(value, { digits: [false, 1] })} %`;
        case "per_1000":
            return `${formatFloat(value, { digits: [false, 2] })} ‰`;
        case "hours":
            return _t("%s h", formatFloat(value, { digits: [false, 1] }));
        case "days":
            return _t("%s days", formatFloat(value, { digits: [false, 1] }));
        case "minutes":
            return _t("%s min", formatFloat(value, { digits: [false, 0] }));
        default:
            return formatFloat(value, { digits: [false, 2] });
    }
}

/** Bars of the current and the previous period of the figures of one group. */
export class KpiGroupChart extends Component {
    static template = "after_sales_service.KpiGroupChart";
    static props = { figures: Array };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        useEffect(
            () => this.renderChart(),
            () => [this.props.figures]
        );
        onWillUnmount(() => this.chart?.destroy());
    }

    renderChart() {
        this.chart?.destroy();
        const figures = this.props.figures;
        this.chart = new Chart(this.canvasRef.el, {
            type: "bar",
            data: {
                labels: figures.map((figure) => figure.label),
                datasets: [
                    {
                        label: _t("Previous period"),
                        data: figures.map((figure) => figure.previous),
                        backgroundColor: "rgba(160, 160, 160, 0.6)",
                    },
                    {
                        label: _t("This period"),
                        data: figures.map((figure) => figure.value),
                        backgroundColor: "rgba(113, 75, 103, 0.8)",
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                plugins: { legend: { position: "bottom" } },
                scales: { x: { ticks: { autoSkip: false } } },
            },
        });
    }
}

export class KpiDashboard extends Component {
    static template = "after_sales_service.KpiDashboard";
    static components = { Layout, KpiGroupChart, PeriodToolbar };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.groupLabels = groupLabels();
        const [dateFrom, dateTo] = periodRange("this_month");
        this.state = usePeriodState(this.props, { dateFrom, dateTo });
        if (!this.props.action.name) {
            // opened from a URL with the tag only
            this.env.config.setDisplayName(_t("KPI Dashboard"));
        }
        onWillStart(async () => {
            const [companies] = await Promise.all([
                this.orm.call("after_sales.kpi", "get_kpi_companies", []),
                loadBundle("web.chartjs_lib"),
                this.load(),
            ]);
            this.state.companies = companies;
        });
    }

    async load() {
        this.state.loading = true;
        try {
            this.state.data = await this.orm.call(
                "after_sales.kpi",
                "get_kpis",
                [this.state.dateFrom, this.state.dateTo],
                { company_id: this.state.companyId || null }
            );
        } finally {
            this.state.loading = false;
        }
    }

    // ------------------------------------------------------------------
    // Toolbar
    // ------------------------------------------------------------------
    onChoice({ period, dateFrom, dateTo, companyId }) {
        Object.assign(this.state, { period, dateFrom, dateTo, companyId });
        return this.load();
    }

    // ------------------------------------------------------------------
    // Cards
    // ------------------------------------------------------------------
    get groups() {
        const kpis = this.state.data?.kpis || [];
        return KPI_GROUPS.map((key) => ({
            key,
            label: this.groupLabels[key],
            figures: kpis.filter((figure) => figure.group === key),
        })).filter((group) => group.figures.length);
    }

    formatPeriod(period) {
        if (!period) {
            return "";
        }
        const from = DateTime.fromISO(period.date_from);
        const to = DateTime.fromISO(period.date_to);
        return `${formatDate(from)} - ${formatDate(to)}`;
    }

    formatValue(figure) {
        return formatKpiValue(figure.value, figure.unit);
    }

    /** "up", "down", "flat" or null (no comparison possible). */
    trendDirection(figure) {
        if (figure.trend === null || figure.trend === undefined) {
            return null;
        }
        if (Math.abs(figure.trend) < 1e-9) {
            return "flat";
        }
        return figure.trend > 0 ? "up" : "down";
    }

    trendClass(figure) {
        const direction = this.trendDirection(figure);
        if (!direction || direction === "flat" || figure.lower_is_better === null) {
            return "text-muted";
        }
        const better = figure.lower_is_better ? "down" : "up";
        return direction === better ? "text-success" : "text-danger";
    }

    trendIcon(figure) {
        return {
            up: "fa-arrow-up",
            down: "fa-arrow-down",
            flat: "fa-arrows-h",
        }[this.trendDirection(figure)];
    }

    trendText(figure) {
        if (this.trendDirection(figure) === null) {
            return _t("No comparison");
        }
        const sign = figure.trend > 0 ? "+" : "";
        const digits = figure.unit === "count" ? 0 : figure.unit === "per_1000" ? 2 : 1;
        return `${sign}${formatFloat(figure.trend, { digits: [false, digits] })}`;
    }

    cardClass(figure) {
        return {
            [`o_after_sales_kpi_${figure.key}`]: true,
            o_after_sales_kpi_card_clickable: Boolean(figure.action),
        };
    }

    cardTitle(figure) {
        const previous = formatKpiValue(figure.previous, figure.unit);
        return `${figure.help || ""}\n${_t("Previous period: %s", previous)}`;
    }

    openFigure(figure) {
        if (!figure.action) {
            return;
        }
        return this.action.doAction({
            type: "ir.actions.act_window",
            ...figure.action,
            views: figure.action.views || [
                [false, "list"],
                [false, "form"],
            ],
            target: "current",
        });
    }
}

registry.category("actions").add("after_sales_kpi_dashboard", KpiDashboard);
