import { registry } from "@web/core/registry";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// Every page a customer sees on the portal, at the browser's width (the test runs
// it at a desktop and at a phone width): the home cards' pictures fit their cards,
// every table row has the cells of its header, planned visits are in the
// customer's time (Europe/Amsterdam: 00:30 the night summer time ends) and
// without seconds. The screenshots of a phone are named <page>_phone.
const LOCAL_VISIT = "10/25/2026 12:30 AM";

function cellCount(row) {
    return [...row.cells].reduce((count, cell) => count + cell.colSpan, 0);
}

function checkTables(page, { tables = 1 } = {}) {
    return {
        content: `${page}: every table row has as many cells as its header`,
        trigger: "body",
        run() {
            const found = [...document.querySelectorAll("#wrap table")].filter(
                (table) => table.tHead
            );
            if (found.length < tables) {
                throw new Error(`${page}: ${found.length} tables, expected ${tables} at least`);
            }
            for (const table of found) {
                const expected = cellCount(table.tHead.rows[0]);
                for (const body of table.tBodies) {
                    for (const row of body.rows) {
                        if (cellCount(row) !== expected) {
                            throw new Error(
                                `${page}: a row has ${cellCount(row)} cells, its header ` +
                                    `${expected}: ${row.textContent.trim()}`
                            );
                        }
                    }
                }
            }
        },
    };
}

function checkLocalTimes(page) {
    return [
        {
            content: `${page}: the planned visit is in the customer's time`,
            trigger: `.o_as_local_time:contains(${LOCAL_VISIT})`,
        },
        {
            content: `${page}: times are shown without seconds`,
            trigger: ".o_as_local_time",
            run() {
                for (const time of document.querySelectorAll(".o_as_local_time")) {
                    if (/\d:\d\d:\d\d/.test(time.textContent)) {
                        throw new Error(`${page}: a time shows seconds: ${time.textContent}`);
                    }
                }
            },
        },
    ];
}

function checkHomeCards() {
    return {
        content: "Each card's picture fits its card, and cards do not overlap",
        trigger: ".o_portal_index_card:not(.d-none) a[href='/my/equipment'] .o_portal_icon img",
        async run() {
            const cards = [...document.querySelectorAll(".o_portal_index_card:not(.d-none) > a")];
            const images = cards.flatMap((card) => [...card.querySelectorAll(".o_portal_icon img")]);
            await Promise.all(images.map((image) => image.decode().catch(() => {})));
            const rects = cards.map((card) => card.getBoundingClientRect());
            cards.forEach((card, index) => {
                const box = rects[index];
                const title = card.getAttribute("title");
                for (const image of card.querySelectorAll(".o_portal_icon img")) {
                    const picture = image.getBoundingClientRect();
                    if (
                        !picture.width ||
                        picture.width > 80 ||
                        picture.height > 80 ||
                        picture.left < box.left - 1 ||
                        picture.right > box.right + 1 ||
                        picture.top < box.top - 1 ||
                        picture.bottom > box.bottom + 1
                    ) {
                        throw new Error(
                            `The picture of the card ${title} does not fit it: ` +
                                `${picture.width}x${picture.height} in ${box.width}x${box.height}`
                        );
                    }
                }
                rects.forEach((other, otherIndex) => {
                    const overlap =
                        otherIndex !== index &&
                        box.left < other.right - 1 &&
                        other.left < box.right - 1 &&
                        box.top < other.bottom - 1 &&
                        other.top < box.bottom - 1;
                    if (overlap) {
                        throw new Error(`The card ${title} overlaps another card`);
                    }
                });
            });
        },
    };
}

function open(url) {
    return { content: `Open ${url}`, trigger: "body", run: `goToUrl ${url}`, expectUnloadPage: true };
}

registry.category("web_tour.tours").add("after_sales_portal_pages_tour", {
    url: "/my/home",
    steps: () => {
        const suffix = window.innerWidth < 576 ? "_phone" : "";
        return [
            checkHomeCards(),
            {
                content: "The service documents' cards show their counts",
                trigger: ".o_portal_index_card:not(.d-none) a[href='/my/service-orders']",
            },
            screenshot(`portal_home${suffix}`),
            {
                content: "Open the equipment from its card",
                trigger: ".o_portal_index_card a[href='/my/equipment']",
                run: "click",
                expectUnloadPage: true,
            },
            checkTables("Equipment"),
            screenshot(`portal_equipment_list${suffix}`),
            {
                content: "Open the unit",
                trigger: "table a[href^='/my/equipment/']",
                run: "click",
                expectUnloadPage: true,
            },
            checkTables("Unit", { tables: 2 }),
            ...checkLocalTimes("Unit"),
            screenshot(`portal_equipment_unit${suffix}`),
            {
                content: "File a claim for the unit",
                trigger: "a.o_as_new_claim",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The claim form offers the unit",
                trigger: "select[name=equipment_id]:has(option:contains(PORTAL-PAGES-1))",
            },
            screenshot(`portal_claim_new${suffix}`),
            open("/my/contracts"),
            checkTables("Service Contracts"),
            screenshot(`portal_contract_list${suffix}`),
            {
                content: "Open the contract",
                trigger: "table a[href^='/my/contracts/']",
                run: "click",
                expectUnloadPage: true,
            },
            checkTables("Service Contract"),
            screenshot(`portal_contract${suffix}`),
            open("/my/service-orders"),
            checkTables("Service Orders"),
            ...checkLocalTimes("Service Orders"),
            {
                content: "The order without a unit keeps its status under Status",
                trigger: "table tbody tr",
                run() {
                    const header = [...document.querySelector("table thead tr").cells].map(
                        (cell) => cell.textContent.trim()
                    );
                    const unit = header.indexOf("Equipment");
                    const status = header.indexOf("Status");
                    const unitless = [...document.querySelectorAll("table tbody tr")].find(
                        (row) => !row.cells[unit].textContent.trim()
                    );
                    if (!unitless || unitless.cells[status].textContent.trim() !== "New") {
                        throw new Error("The order without a unit has no status under Status");
                    }
                },
            },
            screenshot(`portal_order_list${suffix}`),
            {
                content: "Open the planned order",
                trigger: `table tr:contains(${LOCAL_VISIT}) a[href^='/my/service-orders/']`,
                run: "click",
                expectUnloadPage: true,
            },
            ...checkLocalTimes("Service Order"),
            {
                content: "The breadcrumbs are Home / Service Orders / the order, no other app's",
                trigger: ".o_portal_submenu li:contains(Service Orders)",
                run() {
                    const items = document.querySelectorAll(".o_portal_submenu li");
                    if (items.length !== 3) {
                        throw new Error(`Breadcrumbs: ${document.querySelector(".o_portal_submenu").textContent}`);
                    }
                },
            },
            screenshot(`portal_order${suffix}`),
            open("/my/claims"),
            checkTables("Claims"),
            screenshot(`portal_claim_list${suffix}`),
            {
                content: "Open the claim",
                trigger: "table a[href^='/my/claims/']",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The claim page shows its description",
                trigger: "div:contains(The grinder jams.)",
            },
            screenshot(`portal_claim_detail${suffix}`),
        ];
    },
});
