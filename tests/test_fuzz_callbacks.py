"""Fuzz every server callback the app registers with malformed payloads (issue 16: no 500, no traceback).

The callbacks are read from ``app.callback_map`` after the first request (when Dash adds its page
router), so a new callback is fuzzed without touching this file. Each gets :data:`PER_CALLBACK`
payloads from a generator seeded by its id: most are well-formed bodies whose input and state
values are hostile (wrong types, 100 KB strings, nested lists, NaN, a string where a list belongs,
stores with wrong field types), the rest are broken bodies (outputs as a list, missing keys,
inputs not a list, huge arrays, not JSON). Every answer must be 200, 204, 400 or 413 with no
traceback text, and no log record may hold a child id or worker name of the database.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sqlite3

import pytest

from tests.apps import make_app

URL = "/_dash-update-component"
PER_CALLBACK = 250
ALLOWED = {200, 204, 400, 413}
STORE = {"as_at": "2023-03-31", "services": [], "teams": [], "presentation": False, "notices": []}


def hostile(rng: random.Random, depth: int = 0):
    """One value of a wrong type or size for any input."""
    kind = rng.randrange(16)
    if kind == 0:
        return rng.choice([0, -1, 5, 2**63, -(2**70)])
    if kind == 1:
        return rng.choice(["", "x", "T1", "2023-03-31", "?as_at=2023-03-31&team=T1", "/caseloads"])
    if kind == 2:
        return "A" * rng.choice([1_000, 100_000])
    if kind == 3:
        return None
    if kind == 4:
        return rng.choice([True, False])
    if kind == 5:
        return rng.choice([float("nan"), float("inf"), -0.5, 1.5])
    if kind == 6:
        return [hostile(rng, depth + 1) for _ in range(rng.randrange(4))] if depth < 3 else []
    if kind == 7:
        return {"a": hostile(rng, depth + 1)} if depth < 3 else {}
    if kind == 8:
        nested: object = 1
        for _ in range(rng.choice([10, 200])):
            nested = [nested]
        return nested
    if kind == 9:
        return ["T1"] * rng.choice([600, 20_000])
    if kind == 10:
        return {**STORE, rng.choice(list(STORE)): hostile(rng, depth + 1) if depth < 3 else 5}
    if kind == 11:
        return {**STORE, "services": "CIN/CP" * 1000}  # a string where a list belongs
    if kind == 12:
        return {**STORE, "teams": [str(i) for i in range(rng.choice([10, 600]))]}
    if kind == 13:
        return {"page": hostile(rng, 3), "part": "body", "item": "x", "controls": hostile(rng, 3)}
    if kind == 14:
        return rng.choice([STORE, {**STORE, "presentation": True}, {}])
    return [1, "x", None, {"id": 1}]


def _concrete(spec_id: str, rng: random.Random):
    """A concrete component id for a registered dependency id (patterns filled in)."""
    if not spec_id.startswith("{"):
        return spec_id
    pattern = json.loads(spec_id)
    return {k: (rng.choice(["/", "/caseloads", "x"]) if isinstance(v, list) else v) for k, v in pattern.items()}


#: A plausible value per property, so a payload with one hostile value reaches the code behind the others.
PLAUSIBLE = {"search": "?as_at=2023-03-31", "pathname": "/caseloads", "date": "2023-03-31", "n_clicks": 1}


def _plausible(spec_id: str, prop: str):
    if prop == "data":
        return {"page": "caseloads", "part": "body", "item": "caseloads-workers"} if "csv-request" in spec_id else STORE
    return PLAUSIBLE.get(prop)


def _entries(specs, rng, with_values: bool, one_hostile: bool = False):
    out = []
    target = rng.randrange(len(specs)) if specs else -1
    for index, spec in enumerate(specs):
        spec_id, prop = spec["id"], spec["property"]

        bad = index == target if one_hostile else rng.random() < 0.7

        def one(spec_id=spec_id, prop=prop, bad=bad):
            entry = {"id": _concrete(spec_id, rng), "property": prop}
            if with_values:
                entry["value"] = hostile(rng) if bad else _plausible(spec_id, prop)
            return entry

        if spec_id.startswith("{") and '["ALL"]' in spec_id:
            out.append([one() for _ in range(rng.randrange(3))])
        else:
            out.append(one())
    return out


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


def well_formed(output: str, callback: dict, rng: random.Random) -> dict:
    """Dash's body shape; every value hostile at random, or (half the time) exactly one of them."""
    outs = _entries(_outputs(output), rng, with_values=False)
    one = rng.random() < 0.5
    specs = callback.get("inputs", []) + callback.get("state", [])
    values = _entries(specs, rng, with_values=True, one_hostile=one)
    n_inputs = len(callback.get("inputs", []))
    body = {
        "output": output,
        "outputs": outs if output.startswith("..") else outs[0],
        "inputs": values[:n_inputs],
        "changedPropIds": [f"{d['id']}.{d['property']}" for d in callback.get("inputs", [])][:1],
    }
    if callback.get("state"):
        body["state"] = values[n_inputs:]
    return body


def broken(body: dict, rng: random.Random):
    """A body of the wrong shape (or raw bytes that are not one)."""
    kind = rng.randrange(10)
    b = dict(body)
    if kind == 0:
        b["outputs"] = [b["outputs"]] if isinstance(b["outputs"], dict) else {"id": "x", "property": "y"}
    elif kind == 1:
        b.pop(rng.choice(list(b)))
    elif kind == 2:
        b["inputs"] = hostile(rng)
    elif kind == 3:
        b["inputs"] = [{"id": "shell-filters", "property": "data", "value": STORE}] * 5000
    elif kind == 4:
        b["changedPropIds"] = hostile(rng)
    elif kind == 5:
        b["output"] = hostile(rng)
    elif kind == 6:
        b["extra"] = hostile(rng)
    elif kind == 7:
        return rng.choice([b"{", b"\xff\xfe", b"[" * 50_000, b"null", b"NaN", b'"x"'])
    elif kind == 8:
        b["state"] = hostile(rng)
    else:
        b["inputs"] = [{"id": 5, "property": None, "value": 1}]
    return b


def _fixture_strings(db) -> set[str]:
    with sqlite3.connect(f"file:{db.fixture_path}?mode=ro", uri=True) as con:
        ids = {r[0] for r in con.execute("SELECT child_id FROM children") if r[0]}
        names = {r[0] for r in con.execute("SELECT worker_name FROM workers") if r[0]}
    assert len(ids) > 1000 and len(names) > 20
    return ids | names


@pytest.fixture(scope="module")
def served(small_demo):
    app = make_app(small_demo)
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # Dash registers its page router at the first request
    return app, client


def test_every_callback_answers_malformed_payloads_without_500_or_traceback(served, small_demo, caplog):
    app, client = served
    callbacks = {out: cb for out, cb in app.callback_map.items() if "callback" in cb}
    assert len(callbacks) >= 16  # the shell's 4, the CSV's, the pack's, 9 page parts, Dash's page router
    secrets = _fixture_strings(small_demo)
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, sorted(secrets, key=len)[::-1])) + r")(?![A-Za-z0-9_])"
    )
    counts: dict[str, dict[int, int]] = {}
    failures = []
    with caplog.at_level(logging.INFO):
        for output, callback in sorted(callbacks.items()):
            rng = random.Random(output)
            seen = counts.setdefault(output, {})
            for i in range(PER_CALLBACK):
                body = well_formed(output, callback, rng)
                payload = broken(body, rng) if i % 5 == 4 else body
                if isinstance(payload, bytes):
                    r = client.post(URL, data=payload, content_type="application/json")
                else:
                    r = client.post(URL, data=json.dumps(payload, allow_nan=True), content_type="application/json")
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                text = r.get_data(as_text=True)
                if r.status_code not in ALLOWED or "Traceback" in text or 'File "' in text:
                    failures.append((output, r.status_code, repr(payload)[:300]))
    total = sum(sum(c.values()) for c in counts.values())
    print(f"\nfuzz: {len(counts)} callbacks x {PER_CALLBACK} = {total} payloads")
    for output, seen in counts.items():
        print(f"  {output[:90]}: {dict(sorted(seen.items()))}")
    assert not failures, failures[:10]
    assert total == len(callbacks) * PER_CALLBACK
    leaked = [rec.getMessage() for rec in caplog.records if pattern.search(rec.getMessage() + str(rec.exc_text or ""))]
    assert not leaked, leaked[:3]
    assert not any(rec.exc_info for rec in caplog.records)  # no traceback logged at all
