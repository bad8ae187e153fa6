"""The sign-in gate over real HTTP: header mode, none mode, and start-up refusals naming the setting."""

from __future__ import annotations

import pytest

from dashboard.auth import AuthConfig, AuthConfigError
from dashboard.auth.config import parse_networks
from dashboard.auth.peers import is_loopback, peer_in
from tests.apps import make_app
from tests.auth_helpers import access_file as header_auth_file
from tests.auth_helpers import as_user, header_auth, part_body, store
from tests.test_caseloads import ROWS, D

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def header_app(make_db, tmp_path):
    return make_app(db=make_db(ROWS), auth=header_auth(tmp_path))


@SQLITE
def test_a_trusted_proxy_with_a_user_gets_the_page_and_data(header_app):
    client = header_app.server.test_client()
    page = client.get("/caseloads", headers=as_user("Al Analyst", "grp-analysts"))
    assert page.status_code == 200
    r = client.post(
        "/_dash-update-component", json=part_body("caseloads-body", store(D)), headers=as_user("Al", "grp-analysts")
    )
    assert r.status_code == 200 and "C9" in r.get_data(as_text=True)
    layout = client.get("/_dash-layout", headers=as_user("Al Analyst", "grp-analysts")).get_data(as_text=True)
    assert "Al Analyst (analyst)" in layout  # the navbar names the user and role


@SQLITE
def test_no_user_is_401_with_no_data(header_app):
    client = header_app.server.test_client()
    for method, path, kw in (
        ("get", "/caseloads", {}),
        ("get", "/_dash-layout", {}),
        ("post", "/_dash-update-component", {"json": part_body("caseloads-body", store(D))}),
    ):
        r = getattr(client, method)(path, **kw)
        assert r.status_code == 401, path
        assert "C9" not in r.get_data(as_text=True) and r.headers["Cache-Control"] == "no-store"
    assert client.get("/assets/logo.svg").status_code == 200  # static files hold no data


@SQLITE
def test_an_untrusted_peers_headers_are_ignored(header_app):
    client = header_app.server.test_client()
    r = client.post(
        "/_dash-update-component",
        json=part_body("caseloads-body", store(D)),
        headers=as_user("Al Analyst", "grp-analysts"),
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert r.status_code == 401 and "C9" not in r.get_data(as_text=True)


@SQLITE
def test_a_user_with_no_mapped_group_is_403_no_role(header_app):
    r = header_app.server.test_client().get("/caseloads", headers=as_user("Stranger", "grp-other"))
    assert r.status_code == 403 and "no role" in r.get_data(as_text=True)


@SQLITE
def test_none_mode_refuses_a_remote_peer_on_real_data(make_db):
    app = make_app(db=make_db(ROWS), auth=AuthConfig())
    client = app.server.test_client()
    remote = client.get("/caseloads", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert remote.status_code == 403 and "CSC_AUTH" in remote.get_data(as_text=True)
    proxied = client.get("/caseloads", headers={"X-Forwarded-For": "192.0.2.10"})  # a proxy on this machine
    assert proxied.status_code == 403
    local = client.get("/_dash-layout")
    assert local.status_code == 200 and "Sign-in is off" in local.get_data(as_text=True)


@SQLITE
def test_none_mode_serves_the_embedded_demo_to_anyone(make_db):
    db = make_db(ROWS)
    db.is_demo = db.embedded_demo = True  # as connect() sets them for the CSC_DEMO_DB file
    app = make_app(db=db, auth=AuthConfig())
    r = app.server.test_client().get("/_dash-layout", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 200 and "Sign-in is off" in r.get_data(as_text=True)


@SQLITE
def test_none_mode_does_not_trust_data_that_only_looks_like_the_demo(make_db):
    db = make_db(ROWS)
    db.is_demo = True  # teams named "Demo ...", but not the embedded demo file
    app = make_app(db=db, auth=AuthConfig())
    r = app.server.test_client().get("/_dash-layout", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 403 and "CSC_AUTH" in r.get_data(as_text=True)


def test_connect_knows_the_embedded_demo_by_its_path_only(small_demo):
    from data_layer import connect

    copy = connect(f"sqlite:///{small_demo.fixture_path}")  # a generated demo elsewhere: not the embedded file
    try:
        assert copy.is_demo and not copy.embedded_demo
    finally:
        copy.dispose()


def test_bad_settings_stop_start_up_naming_the_variable_file_and_key(tmp_path):
    with pytest.raises(AuthConfigError, match="CSC_AUTH='ldap'"):
        AuthConfig.from_env({"CSC_AUTH": "ldap"})
    with pytest.raises(AuthConfigError, match="CSC_ACCESS_FILE"):
        AuthConfig.from_env({"CSC_AUTH": "header"})
    missing = tmp_path / "nope.toml"
    with pytest.raises(AuthConfigError, match=f"CSC_ACCESS_FILE={missing}: cannot be read"):
        AuthConfig.from_env({"CSC_AUTH": "header", "CSC_ACCESS_FILE": str(missing)})
    bad = tmp_path / "bad.toml"
    for text, key in (
        ("[roles]\nboard = 'grp'\n", r"\[roles\] board must be a list"),
        ("[roles]\nadmin = ['grp']\n", r"unknown role\(s\) \['admin'\]"),
        ('[managers."g"]\nteam = ["T1"]\n', r'\[managers."g"\] must have exactly one key'),
        ("[roles\n", "not valid TOML"),
    ):
        bad.write_text(text)
        with pytest.raises(AuthConfigError, match=f"CSC_ACCESS_FILE={bad}: .*{key}"):
            AuthConfig.from_env({"CSC_AUTH": "header", "CSC_ACCESS_FILE": str(bad)})
    with pytest.raises(AuthConfigError, match="CSC_OIDC_METADATA_URL, CSC_OIDC_CLIENT_ID"):
        AuthConfig.from_env({"CSC_AUTH": "oidc", "CSC_ACCESS_FILE": str(header_auth_file(tmp_path))})
    with pytest.raises(AuthConfigError, match="CSC_AUTH_TRUSTED_PROXIES: 'proxy'"):
        parse_networks("127.0.0.1, proxy")


def test_peers_are_matched_by_address_and_network():
    nets = parse_networks("127.0.0.1, 10.0.0.0/8, ::1")
    assert peer_in("10.20.30.40", nets) and peer_in("127.0.0.1", nets) and peer_in("::ffff:127.0.0.1", nets)
    assert not peer_in("11.0.0.1", nets) and not peer_in("not an ip", nets) and not peer_in(None, nets)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("192.0.2.1")


def test_several_groups_give_the_most_permissive_role_and_managers_teams_add_up(tmp_path):
    policy = header_auth(tmp_path).access
    assert policy.grant(["grp-board", "grp-tm-t1"]).role == "manager"
    assert policy.grant(["grp-tm-t1", "grp-tm-t2"]).teams == frozenset({"T1", "T2"})
    assert policy.grant(["grp-board", "grp-analysts"]).role == "analyst"
    assert policy.grant(["grp-board"]).role == "board"
    assert policy.grant(["grp-other"]) is None
