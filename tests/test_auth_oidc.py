"""OpenID Connect sign-in against a local provider: discovery, JWKS and token endpoint served over HTTP.

The test signs the id_token itself (joserfc, a generated RSA key) with the nonce Authlib put in
the login redirect, so the whole code flow runs: redirect, callback, session, groups -> role.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from dashboard.auth import AuthConfig
from tests.apps import make_app
from tests.auth_helpers import access_file, part_body, store
from tests.test_caseloads import ROWS, D

KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, not the provider's key


class Provider:
    def __init__(self):
        self.claims: dict = {}
        self.key = KEY
        self.alg = "RS256"
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def id_token(self) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": "csc-client", "iat": now, "exp": now + 300, **self.claims}
        if self.alg == "none":
            import base64

            enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731 - two uses
            return f"{enc({'alg': 'none'})}.{enc(claims)}."
        return jwt.encode({"alg": self.alg, "kid": "k1"}, claims, self.key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def _json(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.url,
                            "authorization_endpoint": f"{provider.url}/authorize",
                            "token_endpoint": f"{provider.url}/token",
                            "jwks_uri": f"{provider.url}/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif self.path == "/jwks":
                    self._json({"keys": [KEY.as_dict(private=False)]})
                else:
                    self.send_error(404)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._json(
                    {"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": provider.id_token()}
                )

        return Handler


@pytest.fixture(scope="module")
def provider():
    p = Provider()
    yield p
    p.server.shutdown()


@pytest.fixture
def oidc_app(make_db, tmp_path, provider):
    auth = AuthConfig.from_env(
        {
            "CSC_AUTH": "oidc",
            "CSC_ACCESS_FILE": access_file(tmp_path),
            "CSC_OIDC_METADATA_URL": f"{provider.url}/.well-known/openid-configuration",
            "CSC_OIDC_CLIENT_ID": "csc-client",
            "CSC_OIDC_CLIENT_SECRET": "secret",
            "CSC_SECRET_KEY": "x" * 40,
            "CSC_AUDIT_LOG": str(tmp_path / "audit.log"),
        }
    )
    return make_app(db=make_db(ROWS), auth=auth)


def _sign_in(client, provider, **claims):
    start = client.get("/caseloads?as_at=2023-03-01&team=T2")
    assert start.status_code == 302 and start.location.startswith("/auth/login?next=/caseloads")
    login = client.get(start.location)
    assert login.status_code == 302 and login.location.startswith(f"{provider.url}/authorize")
    query = parse_qs(urlparse(login.location).query)
    assert query["client_id"] == ["csc-client"] and "openid" in query["scope"][0]
    provider.claims = {"sub": "u1", "name": "Mo Manager", "nonce": query["nonce"][0], **claims}
    return client.get(f"/auth/callback?code=c1&state={query['state'][0]}")


pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_login_sets_the_session_and_groups_map_to_roles(oidc_app, provider):
    client = oidc_app.server.test_client()
    assert client.post("/_dash-update-component", json=part_body("caseloads-body", store(D))).status_code == 401
    done = _sign_in(client, provider, groups=["grp-tm-t2", "grp-unmapped"])
    assert done.status_code == 302 and done.location == "/caseloads?as_at=2023-03-01&team=T2"  # back where they were
    cookie = done.headers["Set-Cookie"]
    assert "csc_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Mo Manager (manager)" in layout
    r = client.post("/_dash-update-component", json=part_body("caseloads-body", store(D)))
    assert r.status_code == 200 and "C9" in r.get_data(as_text=True) and '"C4"' not in r.get_data(as_text=True)
    client.get("/auth/logout")
    assert client.post("/_dash-update-component", json=part_body("caseloads-body", store(D))).status_code == 401


def test_the_cookie_is_secure_over_https(oidc_app, provider):
    client = oidc_app.server.test_client()
    login = client.get("/auth/login", base_url="https://dash.example")
    assert "Secure" in login.headers["Set-Cookie"]


@pytest.mark.parametrize("forgery", ["other key", "unsigned", "wrong audience"])
def test_a_forged_or_unsigned_token_is_refused(oidc_app, provider, forgery):
    client = oidc_app.server.test_client()
    extra = {"groups": ["grp-analysts"]}
    if forgery == "other key":
        provider.key = OTHER_KEY
    elif forgery == "unsigned":
        provider.alg = "none"
    else:
        extra["aud"] = "someone-else"
    try:
        refused = _sign_in(client, provider, **extra)
    finally:
        provider.key, provider.alg = KEY, "RS256"
    assert refused.status_code == 401 and "Sign-in failed" in refused.get_data(as_text=True)
    assert client.post("/_dash-update-component", json=part_body("caseloads-body", store(D))).status_code == 401


def test_a_user_without_a_mapped_group_is_403(oidc_app, provider):
    client = oidc_app.server.test_client()
    assert _sign_in(client, provider, groups=["grp-unmapped"]).status_code == 302
    assert client.get("/caseloads").status_code == 403
