"""pytest plugin used by ``make test`` (tools/test.sh) on top of pytest-odoo.

pytest-odoo runs Odoo ``HttpCase`` tests only with ``--odoo-http`` (it then starts
Odoo's threaded HTTP server on a free port), and Odoo itself *skips* browser tests
when Chrome/Chromium or websocket-client is missing or Chrome fails to start.
A skipped tour looks green, so this plugin:

* turns ``--odoo-http`` on, so HttpCase tests always run;
* stops the run (exit code 3) before any test when HttpCase tests were collected
  but no Chrome/Chromium executable or no websocket-client module is available;
* reports an HttpCase test that Odoo skipped for a browser/HTTP reason as failed.

Deliberate skips (``@unittest.skip("...")``, ``self.skipTest``) with other reasons
stay skips.
"""

import re

import pytest

_INFRA_SKIP = re.compile(r"chrom|websocket|devtools|--odoo-http", re.IGNORECASE)


def _is_http_case(item):
    cls = getattr(item, "cls", None)
    if cls is None:
        return False
    from odoo.tests.common import HttpCase  # noqa: PLC0415 (odoo is set up by pytest-odoo)

    return issubclass(cls, HttpCase)


def pytest_configure(config):
    if hasattr(config.option, "odoo_http"):
        config.option.odoo_http = True


def pytest_collection_modifyitems(session, config, items):
    if not any(_is_http_case(item) for item in items):
        return
    problems = []
    try:
        import websocket  # noqa: F401, PLC0415
    except ImportError:
        problems.append("python package websocket-client is not installed")
    import unittest  # noqa: PLC0415

    from odoo.tests.common import _find_executable  # noqa: PLC0415

    try:
        _find_executable()
    except unittest.SkipTest:
        problems.append("no Chrome/Chromium executable found (apt-get install chromium)")
    if problems:
        pytest.exit("HttpCase tests cannot run: " + "; ".join(problems), returncode=3)


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and _is_http_case(item):
        reason = _skip_reason(report)
        if _INFRA_SKIP.search(reason):
            report.outcome = "failed"
            report.longrepr = (
                f"HttpCase test was skipped by Odoo, counted as a failure: {reason}\n"
                "(browser tests need Chrome/Chromium, websocket-client and Odoo's HTTP server)"
            )
    return report
