"""Every web route of the after-sales modules, found from Odoo's routing map (so a
route added later is checked too): none is open to anonymous visitors, every one that
accepts a POST form checks the CSRF token, and a POST without the token writes
nothing; the login throttling of Odoo still holds with the modules installed."""

import json
import re

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AfterSalesCommon

MODULES = ("after_sales_service", "after_sales_purchase", "after_sales_sale")
ARG_RE = re.compile(r"<(?:int:)?(\w+)>")


def our_routes(env):
    """(url, routing) of every route whose endpoint one of our modules defines or
    overrides."""
    installed = set(env.registry._init_modules) | {
        m.name for m in env["ir.module.module"].search([("state", "=", "installed")])
    }
    for url, endpoint in http._generate_routing_rules(sorted(installed), nodb_only=False):
        owners = {
            cls.__module__.split(".")[2]
            for cls in type(endpoint.func.__self__).mro()
            if endpoint.__name__ in cls.__dict__ and cls.__module__.startswith("odoo.addons.")
        }
        if owners & set(MODULES):
            yield url, endpoint.routing


@tagged("post_install", "-at_install")
class TestRoutes(AfterSalesCommon, HttpCase):
    def test_inventory(self):
        routes = list(our_routes(self.env))
        urls = {url for url, _routing in routes}
        # the portal pages are found: the check below covers something
        self.assertIn("/my/claims/new", urls)
        self.assertIn("/my/dealer_claims/new", urls)
        for url, routing in routes:
            with self.subTest(url=url):
                self.assertNotIn(
                    routing["auth"], ("none", "public"), f"{url} is open to anonymous visitors"
                )
                posts = routing.get("methods") is None or "POST" in routing["methods"]
                if routing["type"] == "http" and posts:
                    self.assertTrue(routing.get("csrf", True), f"{url} accepts a POST without CSRF")

    @mute_logger("odoo.http")
    def test_post_without_token_writes_nothing(self):
        portal = new_test_user(
            self.env,
            login="as_routes_portal",
            groups="base.group_portal",
            partner_id=self.customer.id,
            company_id=self.company.id,
        )
        self.authenticate(portal.login, portal.login)
        claims = self.env["after_sales.claim"].sudo().search_count([])
        posted = 0
        for url, routing in our_routes(self.env):
            posts = routing.get("methods") is None or "POST" in routing["methods"]
            if routing["type"] != "http" or not posts:
                continue
            path = ARG_RE.sub("1", url)
            with self.subTest(url=url):
                response = self.url_open(
                    path, data={"description": "no token", "category": "other"}
                )
                self.assertEqual(response.status_code, 400, f"{path} took a POST without token")
                posted += 1
        self.assertGreater(posted, 0)
        self.assertEqual(self.env["after_sales.claim"].sudo().search_count([]), claims)

    @mute_logger("odoo.addons.base.models.res_users", "odoo.http")
    def test_failed_logins_still_throttled(self):
        """After Odoo's number of failed logins, even the right password is refused
        for a while: nothing of the modules lets a password guesser through."""
        user = new_test_user(self.env, login="as_routes_throttle", groups="base.group_portal")
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 3)

        def login(password):
            response = self.url_open(
                "/web/session/authenticate",
                data=json.dumps(
                    {
                        "params": {
                            "db": self.env.cr.dbname,
                            "login": user.login,
                            "password": password,
                        }
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
            return response.json()

        try:
            for _attempt in range(3):
                self.assertIn("error", login("wrong"))
            answer = login(user.login)
            self.assertIn("error", answer)
            self.assertIn("Too many login failures", answer["error"]["data"]["message"])
        finally:
            self.env.registry._login_failures.clear()
        self.assertNotIn("error", login(user.login))
