// Screenshots of the main screens for the README, taken while the tours run.
//
// screenshot(name, trigger) is a tour step: once `trigger` is shown it logs
// "after_sales_screenshot:<name>" on the console. In the tests that take screenshots
// (tests/common_screenshots.py, which sets the cookie below) the browser then saves a
// PNG and marks the page, and the step waits for that mark so that the screen does not
// change before it is captured. Elsewhere (other tests, a tour run by hand) the step
// only logs.
const MARKER = "after_sales_screenshot:";
const COOKIE = "after_sales_screenshots=1";
const WAIT_MS = 30000;

function takesScreenshots() {
    return document.cookie.split(";").some((cookie) => cookie.trim() === COOKIE);
}

export function screenshot(name, trigger = "body") {
    return {
        content: `Screenshot of the screen: ${name}`,
        trigger,
        async run() {
            delete document.body.dataset.afterSalesScreenshot;
            console.log(`${MARKER}${name}`);
            if (!takesScreenshots()) {
                return;
            }
            const start = Date.now();
            while (document.body.dataset.afterSalesScreenshot !== name) {
                if (Date.now() - start > WAIT_MS) {
                    throw new Error(`The screenshot ${name} was not taken`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
    };
}
