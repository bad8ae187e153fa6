"""A setting that cannot be used stops start-up naming the variable; it is never quietly replaced."""

from __future__ import annotations

import pytest

from dashboard.server import serve
from dashboard.settings import Settings, SettingsError, StartupError
from data_layer import DatabaseError, connect


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("CSC_CACHE_SECONDS", "5m", "CSC_CACHE_SECONDS='5m' is not a whole number (default 300)"),
        ("CSC_CACHE_MAX_MB", "2GB", "CSC_CACHE_MAX_MB='2GB' is not a whole number (default 256)"),
        ("CSC_MAX_TABLE_ROWS", "0", "CSC_MAX_TABLE_ROWS=0 is below 1"),
        ("CSC_MAX_REQUEST_BYTES", "10", "CSC_MAX_REQUEST_BYTES=10 is below 1024"),
        ("CSC_MAX_TEXT_CHARS", "many", "CSC_MAX_TEXT_CHARS='many' is not a whole number (default 80)"),
        ("CSC_DB_STATEMENT_TIMEOUT", "soon", "CSC_DB_STATEMENT_TIMEOUT='soon' is not a number of seconds above 0"),
        ("CSC_DB_CONNECT_TIMEOUT", "-1", "CSC_DB_CONNECT_TIMEOUT='-1' is not a number of seconds above 0"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(key, value, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({key: value})
    assert says in str(refused.value)
    assert isinstance(refused.value, StartupError)  # so every way in prints it as one message


def test_blank_means_the_default_and_good_values_are_taken():
    assert Settings.from_env({"CSC_CACHE_SECONDS": " ", "CSC_MAX_TEXT_CHARS": ""}) == Settings.from_env({})
    s = Settings.from_env({"CSC_CACHE_SECONDS": "0", "CSC_MAX_TEXT_CHARS": "120", "CSC_MAX_REQUEST_BYTES": "4096"})
    assert (s.cache_seconds, s.max_text_chars, s.max_request_bytes) == (0, 120, 4096)


def test_csc_dashboard_run_prints_the_setting_and_stops(monkeypatch, capsys):
    monkeypatch.setenv("CSC_CACHE_MAX_MB", "2GB")
    assert serve(port=0) == 1
    err = capsys.readouterr().err
    assert "CSC Insight will not start." in err and "CSC_CACHE_MAX_MB='2GB'" in err
    assert "Traceback" not in err


def test_the_data_layer_names_a_bad_timeout_too(monkeypatch, small_demo):
    monkeypatch.setenv("CSC_DB_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(DatabaseError, match="CSC_DB_STATEMENT_TIMEOUT='soon'"):
        connect(small_demo.engine.url)
