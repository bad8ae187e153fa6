"""The global filters every data-layer function takes (docs/DEFINITIONS.md "Conventions used throughout")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import bindparam, select, true


@dataclass(frozen=True)
class Filters:
    """As-at date and the selected services and team ids; empty tuples mean all."""

    as_at: date
    services: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "services", tuple(self.services))
        object.__setattr__(self, "teams", tuple(str(t) for t in self.teams))

    def shifted(self, days: int) -> Filters:
        from datetime import timedelta

        return Filters(self.as_at + timedelta(days=days), self.services, self.teams)

    def team_clause(self, team_col, teams=None):
        """WHERE clause restricting ``team_col`` to the selected teams and services (bound values).

        ``teams``: the database's teams selectable (``db.tables.teams``); the native contract
        table when not given.
        """
        return _team_clause(team_col, teams, self.teams or None, self.services or None)

    @property
    def team_shape(self) -> tuple[bool, bool]:
        """Whether teams, and whether services, are chosen: what a statement built once must know."""
        return bool(self.teams), bool(self.services)

    def team_placeholders(self, team_col, teams=None):
        """:meth:`team_clause` with named placeholders for the values (``teams``, ``services``), so one
        statement serves every filter of the same :attr:`team_shape`; :meth:`team_params` fills them."""
        has_teams, has_services = self.team_shape
        return _team_clause(
            team_col,
            teams,
            bindparam("teams", expanding=True) if has_teams else None,
            bindparam("services", expanding=True) if has_services else None,
        )

    def team_params(self) -> dict[str, list[str]]:
        """The values of :meth:`team_placeholders`."""
        params = {}
        if self.teams:
            params["teams"] = list(self.teams)
        if self.services:
            params["services"] = list(self.services)
        return params

    @property
    def is_filtered(self) -> bool:
        return bool(self.teams or self.services)

    def window_start(self, months: int = 12) -> date:
        """First day of the reporting window: the day after ``as_at`` minus ``months`` months."""
        return self.as_at - relativedelta(months=months) + relativedelta(days=1)


def _team_clause(team_col, teams, chosen_teams, chosen_services):
    """``team_col`` in the chosen teams and in the teams of the chosen services (values or a
    placeholder each; None: not filtered on)."""
    if teams is None:
        from .schema import teams
    clause = true()
    if chosen_teams is not None:
        clause = clause & team_col.in_(chosen_teams)
    if chosen_services is not None:
        clause = clause & team_col.in_(select(teams.c.team_id).where(teams.c.service.in_(chosen_services)))
    return clause


def months_cutoff(d: date, months: int) -> date:
    """Earliest start date *not* more than ``months`` calendar months before ``d``.

    A plan started on ``s`` has been open more than N months on ``d`` when ``s + N months < d``
    (month ends clamp, as in ``dateutil``: 31 May + 9 months = 28 Feb). That holds exactly for
    ``s < months_cutoff(d, N)``, so SQL compares against one bound date on every database.
    """
    cut = d - relativedelta(months=months)
    while cut + relativedelta(months=months) < d:
        cut += relativedelta(days=1)
    while (cut - relativedelta(days=1)) + relativedelta(months=months) >= d:
        cut -= relativedelta(days=1)
    return cut


__all__ = ["Filters", "months_cutoff"]
