"""Who is calling the sandbox and what they may do (filled in by the OIDC/permissions work)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a confidential client or a signed-in user, with its roles."""

    subject: str
    client_id: str
    name: str
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)
    location_code: str | None = None  # a store-bound user sees its own store only

    def can(self, permission: str) -> bool:
        return permission in self.permissions
