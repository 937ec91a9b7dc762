"""Screenshots of the main screens, taken while the browser tours run.

A tour step made by ``screenshot(name)`` (``static/tests/tours/after_sales_screenshot.js``)
logs ``after_sales_screenshot:<name>`` on the browser console once its screen is shown.
In a test with :class:`ScreenshotTourMixin`, that message makes the browser take a
screenshot (``ChromeBrowser.take_screenshot``: the PNG goes to
``<screenshots option>/<database>/screenshots/after_sales_<name>_<time>_<test>.png``), then
tells the page it was taken, and only then does the tour go on. ``make test`` copies the
newest PNG of each name to ``docs/screenshots/<name>.png`` for the README.
"""

import json
import re
import time
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeoutError
from pathlib import Path

from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config

MARKER = "after_sales_screenshot:"
# set in the browser by the mixin: without it, tour steps do not wait for a screenshot
COOKIE = "after_sales_screenshots"
PREFIX = "after_sales_"
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# how long the test waits for Chrome to deliver a screenshot at the end of a tour
CAPTURE_TIMEOUT = 30


def screenshot_dir():
    """Where ``ChromeBrowser.take_screenshot`` saves its PNGs for this database."""
    return Path(config["screenshots"]) / get_db_name() / "screenshots"


class ScreenshotTourMixin:
    """For ``HttpCase`` tests whose tours take screenshots of main screens.

    Each screenshot a tour asks for is checked when the tour ends: taken, saved as a
    PNG (a failed capture fails the test). ``assertScreenshots`` checks which screens
    a test's tours showed.
    """

    def setUp(self):
        super().setUp()
        self.screenshots = {}  # name: [future of Page.captureScreenshot]
        self._screenshot_started = time.time()
        original = ChromeBrowser._handle_console
        test = self

        def _handle_console(browser, **event):  # Runtime.consoleAPICalled
            if event.get("type") == "log" and event.get("args"):
                message = browser._from_remoteobject(event["args"][0])
                if isinstance(message, str) and message.startswith(MARKER):
                    test._take_screenshot(browser, message[len(MARKER) :])
            return original(browser, **event)

        # the browser binds its console handler when a tour starts, after this patch
        self.patch(ChromeBrowser, "_handle_console", _handle_console)

    def _take_screenshot(self, browser, name):
        """Called in the browser's event thread: ask Chrome for the PNG (saved by
        ``take_screenshot``) and, once it is saved, let the tour go on."""
        if not NAME_RE.fullmatch(name):
            browser._logger.error("Invalid screenshot name %r", name)
            return
        future = browser.take_screenshot(prefix=f"{PREFIX}{name}_")
        if future is None:  # the browser is closing
            return
        self.screenshots.setdefault(name, []).append(future)

        def acknowledge(done):
            if done.cancelled() or done.exception() is not None:
                return
            browser._websocket_send(
                "Runtime.evaluate",
                params={
                    "expression": "document.body.dataset.afterSalesScreenshot = " + json.dumps(name)
                },
            )

        # added after take_screenshot's own callback: the file is written first
        future.add_done_callback(acknowledge)

    def start_tour(self, url_path, tour_name, step_delay=None, **kwargs):
        kwargs["cookies"] = {**(kwargs.get("cookies") or {}), COOKIE: "1"}
        result = super().start_tour(url_path, tour_name, step_delay, **kwargs)
        for name, futures in self.screenshots.items():
            for future in futures:
                try:
                    capture = future.result(timeout=CAPTURE_TIMEOUT)
                except (CancelledError, FutureTimeoutError) as error:
                    self.fail(f"The screenshot {name!r} was not taken: {error!r}")
                self.assertTrue(capture.get("data"), f"The screenshot {name!r} is empty")
        return result

    def _saved_screenshots(self, name):
        """The PNGs saved for ``name`` by this test (save_test_file names them
        ``<prefix><date>_<time>_<microseconds>_<test>.png``)."""
        file_re = re.compile(rf"{PREFIX}{name}_\d{{8}}_\d{{6}}_\d{{6}}_{self._testMethodName}\.png")
        return [
            path
            for path in screenshot_dir().glob(f"{PREFIX}{name}_*.png")
            if file_re.fullmatch(path.name) and path.stat().st_mtime >= self._screenshot_started - 1
        ]

    def assertScreenshots(self, *names):  # noqa: N802
        """The tours of this test showed exactly the screens ``names``, each saved
        as a PNG."""
        self.assertEqual(sorted(self.screenshots), sorted(names))
        for name in names:
            paths = self._saved_screenshots(name)
            self.assertTrue(paths, f"No PNG saved for the screenshot {name!r}")
            for path in paths:
                self.assertEqual(path.read_bytes()[:8], PNG_SIGNATURE, path)
