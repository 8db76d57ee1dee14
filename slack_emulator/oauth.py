"""Slack's OAuth v2 as the emulator plays it: install codes, bot tokens, token rotation.

`authorize` stands for a person approving the install in their browser: it returns the code
Slack would put in the redirect. `oauth.v2.access` exchanges a code (or, with rotation, a
refresh token) for a bot token; the app authenticates with its client ID and secret, in HTTP
Basic auth or as arguments, as Slack allows.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field

from slack_emulator.models import Identity, JsonDict, SlackEmulatorRejected

CODE_TTL_SECONDS = 600


@dataclass
class _Code:
    user_id: str
    redirect_uri: str | None
    issued_at: float


@dataclass
class OAuthApp:
    """The app's OAuth settings, and every bot token issued so far (with its expiry)."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    rotation: bool = False
    token_ttl_seconds: int = 43_200
    _codes: dict[str, _Code] = field(default_factory=dict)
    _tokens: dict[str, float | None] = field(default_factory=dict)
    _refresh_tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def authorize(self, user_id: str, now: float, redirect_uri: str | None = None) -> str:
        code = f"{int(now)}.{secrets.token_hex(12)}"
        with self._lock:
            self._codes[code] = _Code(user_id, redirect_uri, now)
        return code

    def check_token(self, token: str, now: float) -> str | None:
        """None if `token` is a live issued token, else Slack's error for it."""
        with self._lock:
            if token not in self._tokens:
                return "invalid_auth"
            expires_at = self._tokens[token]
        if expires_at is not None and expires_at <= now:
            return "token_expired"
        return None

    def access(
        self, ident: Identity, args: JsonDict, authorization: str | None, now: float
    ) -> JsonDict:
        client_id, client_secret = _client_credentials(args, authorization)
        if client_id != self.client_id:
            raise SlackEmulatorRejected("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackEmulatorRejected("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            return self._refresh(ident, str(args.get("refresh_token") or ""), now)
        code = str(args.get("code") or "")
        with self._lock:
            issued = self._codes.pop(code, None)  # a code works once, like Slack's
        if issued is None or now - issued.issued_at > CODE_TTL_SECONDS:
            raise SlackEmulatorRejected("invalid_code")
        if issued.redirect_uri and args.get("redirect_uri") != issued.redirect_uri:
            raise SlackEmulatorRejected("bad_redirect_uri")
        return {**self._grant(ident, now), "authed_user": {"id": issued.user_id}}

    def _refresh(self, ident: Identity, refresh_token: str, now: float) -> JsonDict:
        with self._lock:
            if refresh_token not in self._refresh_tokens:
                raise SlackEmulatorRejected("invalid_refresh_token")
            self._refresh_tokens.discard(refresh_token)
        return self._grant(ident, now)

    def _grant(self, ident: Identity, now: float) -> JsonDict:
        prefix = "xoxe.xoxb-" if self.rotation else "xoxb-"
        token = f"{prefix}{ident.team_id}-{secrets.token_hex(12)}"
        body: JsonDict = {
            "app_id": ident.app_id,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(self.scopes),
            "bot_user_id": ident.bot_user_id,
            "team": {"id": ident.team_id, "name": ident.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        expires_at = None
        if self.rotation:
            refresh = f"xoxe-1-{secrets.token_hex(16)}"
            expires_at = now + self.token_ttl_seconds
            body |= {"refresh_token": refresh, "expires_in": self.token_ttl_seconds}
        with self._lock:
            self._tokens[token] = expires_at
            if self.rotation:
                self._refresh_tokens.add(body["refresh_token"])
        return body


def _client_credentials(args: JsonDict, authorization: str | None) -> tuple[str, str]:
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            raise SlackEmulatorRejected("invalid_client_id") from None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
