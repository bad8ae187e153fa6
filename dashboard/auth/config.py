"""The sign-in settings (``CSC_AUTH`` and friends), read and checked once at start-up.

A deployment that gets one of them wrong must not start half-protected: every problem is an
:class:`AuthConfigError` (a :class:`~dashboard.startup.StartupError`, so ``csc-dashboard run`` prints
it and exits 1) naming the variable, the file and the key at fault.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.startup import StartupError

from .access import AccessFileError, AccessPolicy, load_access_file
from .peers import Network

MODES = ("none", "oidc", "header")


class AuthConfigError(StartupError):
    """A sign-in setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class OidcConfig:
    metadata_url: str
    client_id: str
    client_secret: str
    groups_claim: str = "groups"


@dataclass(frozen=True)
class AuthConfig:
    """How users are identified (``mode``) and how their groups become roles (``access``)."""

    mode: str = "none"
    access: AccessPolicy = field(default_factory=AccessPolicy)
    secret_key: str | None = None
    oidc: OidcConfig | None = None
    user_header: str = "X-Forwarded-User"
    groups_header: str = "X-Forwarded-Groups"
    trusted_proxies: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.1/32"),)
    audit_log: str | None = None  # a file path, "syslog", or None (stderr)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthConfig:
        env = os.environ if environ is None else environ
        mode = (env.get("CSC_AUTH") or "none").strip().lower()
        if mode not in MODES:
            raise AuthConfigError(f"CSC_AUTH={env.get('CSC_AUTH')!r} is not one of: {', '.join(MODES)}.")
        access_file = (env.get("CSC_ACCESS_FILE") or "").strip()
        if mode != "none" and not access_file:
            raise AuthConfigError(
                f"CSC_AUTH={mode} needs CSC_ACCESS_FILE: the TOML file mapping groups to roles ([roles], [managers])."
            )
        try:
            access = load_access_file(Path(access_file)) if access_file else AccessPolicy()
        except AccessFileError as exc:
            raise AuthConfigError(str(exc)) from None
        secret = env.get("CSC_SECRET_KEY") or None
        oidc = None
        if mode == "oidc":
            missing = [
                name
                for name in ("CSC_OIDC_METADATA_URL", "CSC_OIDC_CLIENT_ID", "CSC_OIDC_CLIENT_SECRET", "CSC_SECRET_KEY")
                if not (env.get(name) or "").strip()
            ]
            if missing:
                raise AuthConfigError(f"CSC_AUTH=oidc needs {', '.join(missing)} (see README, Sign-in and roles).")
            if len(secret or "") < 32:
                raise AuthConfigError("CSC_SECRET_KEY must be at least 32 characters (it signs the session cookie).")
            oidc = OidcConfig(
                metadata_url=env["CSC_OIDC_METADATA_URL"].strip(),
                client_id=env["CSC_OIDC_CLIENT_ID"].strip(),
                client_secret=env["CSC_OIDC_CLIENT_SECRET"].strip(),
                groups_claim=(env.get("CSC_OIDC_GROUPS_CLAIM") or "groups").strip(),
            )
        return cls(
            mode=mode,
            access=access,
            secret_key=secret,
            oidc=oidc,
            user_header=(env.get("CSC_AUTH_USER_HEADER") or "X-Forwarded-User").strip(),
            groups_header=(env.get("CSC_AUTH_GROUPS_HEADER") or "X-Forwarded-Groups").strip(),
            trusted_proxies=parse_networks(env.get("CSC_AUTH_TRUSTED_PROXIES") or "127.0.0.1"),
            audit_log=(env.get("CSC_AUDIT_LOG") or "").strip() or None,
        )


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` -> networks (a bare address is a /32 or /128)."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise AuthConfigError(
                f"CSC_AUTH_TRUSTED_PROXIES: {part!r} is not an IP address or a CIDR network."
            ) from None
    return tuple(out)
