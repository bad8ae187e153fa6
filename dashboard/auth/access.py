"""The access file (``CSC_ACCESS_FILE``): which identity-provider groups hold which role.

.. code-block:: toml

    [roles]
    board = ["grp-board"]
    analyst = ["grp-analysts"]
    [managers."grp-tm-north"]
    teams = ["T01", "T02"]

A user holding several groups gets the most permissive role among them (analyst > manager >
board), and a manager in several manager groups sees the union of their teams. A group in no
entry gives no role (the request is refused, 403). The file is read with the standard library's
``tomllib``; anything else in it is an error, so a typo cannot quietly widen or narrow access.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("board", "manager", "analyst")  # least to most permissive
_RANK = {r: i for i, r in enumerate(ROLES)}


@dataclass(frozen=True)
class Grant:
    """What a user may see: a role and, for a manager, the teams of their child-level rows."""

    role: str
    teams: frozenset[str] | None = None  # None: every team (analyst); board sees no child rows at all


@dataclass(frozen=True)
class AccessPolicy:
    board: frozenset[str] = frozenset()
    analyst: frozenset[str] = frozenset()
    managers: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def known_groups(self) -> frozenset[str]:
        """Every group named in the file (a session keeps only these of a user's groups)."""
        return self.board | self.analyst | frozenset(self.managers)

    def grant(self, groups: Iterable[str]) -> Grant | None:
        """The most permissive role the groups give, or None when none of them is mapped."""
        groups = set(groups)
        if groups & self.analyst:
            return Grant("analyst")
        teams = [self.managers[g] for g in groups if g in self.managers]
        if teams:
            return Grant("manager", frozenset().union(*teams))
        if groups & self.board:
            return Grant("board", frozenset())
        return None


class AccessFileError(ValueError):
    """The access file cannot be used; the message names the file and the key."""


def _group_list(value, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AccessFileError(f"{where} must be a list of group names (non-empty strings)")
    return frozenset(v.strip() for v in value)


def parse_access(data: dict) -> AccessPolicy:
    """The policy of a parsed TOML document (raises :class:`AccessFileError` naming the key)."""
    unknown = set(data) - {"roles", "managers"}
    if unknown:
        raise AccessFileError(f"unknown key(s) {sorted(unknown)}: only [roles] and [managers] are read")
    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise AccessFileError("[roles] must be a table")
    bad = set(roles) - {"board", "analyst"}
    if bad:
        raise AccessFileError(
            f'[roles] has unknown role(s) {sorted(bad)}: board and analyst (managers: [managers."group"])'
        )
    managers_raw = data.get("managers", {})
    if not isinstance(managers_raw, dict):
        raise AccessFileError('[managers] must hold one table per group: [managers."group"] teams = [...]')
    managers = {}
    for group, entry in managers_raw.items():
        where = f'[managers."{group}"]'
        if not isinstance(entry, dict) or set(entry) != {"teams"}:
            raise AccessFileError(f"{where} must have exactly one key, teams = [team ids]")
        teams = entry["teams"]
        if not isinstance(teams, list) or not all(isinstance(t, str) and t.strip() for t in teams):
            raise AccessFileError(f"{where} teams must be a list of team ids (non-empty strings)")
        managers[group.strip()] = frozenset(t.strip() for t in teams)
    return AccessPolicy(
        board=_group_list(roles.get("board", []), "[roles] board"),
        analyst=_group_list(roles.get("analyst", []), "[roles] analyst"),
        managers=managers,
    )


def load_access_file(path: Path) -> AccessPolicy:
    """Read ``CSC_ACCESS_FILE``; any problem is an :class:`AccessFileError` naming the variable, file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_access(data)
    except OSError as exc:
        raise AccessFileError(
            f"CSC_ACCESS_FILE={path}: cannot be read ({exc.strerror or type(exc).__name__})."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(f"CSC_ACCESS_FILE={path}: not valid TOML ({exc}).") from None
    except AccessFileError as exc:
        raise AccessFileError(f"CSC_ACCESS_FILE={path}: {exc}.") from None
