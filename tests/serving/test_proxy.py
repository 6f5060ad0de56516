"""Behind nginx the app sees every visitor as 127.0.0.1 unless it trusts the proxy's
X-Forwarded-* headers (TRUSTED_PROXIES): the verify page's limit per address needs the real one."""

from flask import request

from savings_groups import create_app
from savings_groups.store.db import release_idle

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def seen_by(app) -> str:
    app.add_url_rule("/test-whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    response = app.test_client().get(
        "/test-whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    release_idle()
    return response.get_data(as_text=True)


def test_forwarded_headers_are_trusted_only_behind_a_configured_proxy(app_config, admin):
    assert seen_by(create_app({**app_config, "TRUSTED_PROXIES": 1})) == "203.0.113.7 https"
    assert seen_by(create_app(app_config)) == "127.0.0.1 http"
