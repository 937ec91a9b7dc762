import { Component, onWillStart } from "@odoo/owl";
import { formatCurrency } from "@web/core/currency";
import { formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { PeriodToolbar, usePeriodState } from "@after_sales_service/period_toolbar/period_toolbar";

const { DateTime } = luxon;

/**
 * The reconciliation of the warranty provision: per product category, opening,
 * accruals, usage, releases and closing of a period against the ledger balance of the
 * provision account. Every figure opens the journal items behind it. The screen only
 * reads (after_sales.provision.report is @api.readonly): a server with a read replica
 * answers it from the replica.
 */
export class ProvisionReport extends Component {
    static template = "after_sales_service.ProvisionReport";
    static components = { Layout, PeriodToolbar };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.ui = useService("ui");
        this.state = usePeriodState(this.props);
        if (!this.props.action.name) {
            this.env.config.setDisplayName(_t("Warranty Provision Reconciliation"));
        }
        onWillStart(async () => {
            const [companies] = await Promise.all([
                this.orm.call("after_sales.provision.report", "get_report_companies", []),
                this.load(),
            ]);
            this.state.companies = companies;
        });
    }

    get params() {
        // no dates yet: the server proposes this month up to today where the company works
        return [this.state.dateFrom || null, this.state.dateTo || null, this.state.companyId || null];
    }

    async load() {
        this.state.loading = true;
        try {
            const data = await this.orm.call(
                "after_sales.provision.report",
                "get_report",
                this.params
            );
            this.state.data = data;
            this.state.dateFrom = data.date_from;
            this.state.dateTo = data.date_to;
            this.state.companyId = data.company.id;
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

    async exportXlsx() {
        const [dateFrom, dateTo, companyId] = this.params;
        this.ui.block();
        try {
            await download({
                url: "/after_sales/provision_report/xlsx",
                data: { date_from: dateFrom, date_to: dateTo, company_id: companyId },
            });
        } finally {
            this.ui.unblock();
        }
    }

    // ------------------------------------------------------------------
    // Table
    // ------------------------------------------------------------------
    formatAmount(amount) {
        return formatCurrency(amount, this.state.data.currency.id, {
            digits: [false, this.state.data.currency.digits],
        });
    }

    formatPeriod() {
        const data = this.state.data;
        return `${formatDate(DateTime.fromISO(data.date_from))} - ${formatDate(
            DateTime.fromISO(data.date_to)
        )}`;
    }

    /**
     * Open the journal items behind a figure: a column of one category (categId an id,
     * or false for items without category), of every category (categId undefined),
     * "ledger" or "unexplained".
     */
    async openItems(column, categId) {
        const [dateFrom, dateTo, companyId] = this.params;
        const kwargs = { company_id: companyId, column };
        if (categId !== undefined) {
            kwargs.categ_id = categId;
        }
        const action = await this.orm.call(
            "after_sales.provision.report",
            "get_items_action",
            [dateFrom, dateTo],
            kwargs
        );
        return this.action.doAction(action);
    }
}

registry.category("actions").add("after_sales_provision_report", ProvisionReport);
