"""A small OpenID Connect provider for the tests, written from the standards (OpenID Connect Core 1.0 and
Discovery, RFC 6749 authorization code, RFC 7636 PKCE) with joserfc signing its ID tokens.

It serves discovery, JWKS, authorization, token and userinfo on 127.0.0.1 (ports 8130-8139), and signs in
whoever the test names in `provider.person`, without a page of its own. `provider.id_token_claims` changes the
next ID token's claims (another audience, an expiry in the past) and `provider.tamper_id_token` forges it
after signing, to see the portal refuse them.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

PORTS = range(8130, 8140)


class OidcProvider:
    def __init__(self, port: int):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.client_id = "lhs-portal"
        self.client_secret = secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig", "alg": "RS256"})
        self.person: dict = {}  # the claims of whoever signs in next: sub, email, given_name, family_name
        self.id_token_claims: dict = {}  # overrides for the next ID token
        self.tamper_id_token: dict = {}  # claims changed after signing: the signature no longer matches
        self.authorization_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def authorize(self, params: dict) -> str:
        """Where the browser goes next: back to the client with a code (or an error)."""
        self.authorization_requests.append(params)
        redirect_uri = params["redirect_uri"]
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            error = {"error": "unauthorized_client", "state": params.get("state", "")}
            return f"{redirect_uri}?{urlencode(error)}"
        code = secrets.token_urlsafe(16)
        self._codes[code] = {**params, "person": dict(self.person)}
        return f"{redirect_uri}?{urlencode({'code': code, 'state': params.get('state', '')})}"

    def token(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        if grant.get("code_challenge"):
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **({"nonce": grant["nonce"]} if grant.get("nonce") else {}),
            **grant["person"],
            **self.id_token_claims,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, self.key)
        if self.tamper_id_token:
            header, _, signature = id_token.split(".")
            forged = json.dumps({**claims, **self.tamper_id_token}).encode()
            payload = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
            id_token = f"{header}.{payload}.{signature}"
        access_token = secrets.token_urlsafe(16)
        self._access = {access_token: grant["person"]}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        token = authorization.removeprefix("Bearer ").strip()
        person = getattr(self, "_access", {}).get(token)
        return (200, person) if person else (401, {"error": "invalid_token"})


def _handler(provider: OidcProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(params))
                self.end_headers()
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._json(*provider.token(form))
            else:
                self._json(404, {"error": "not_found"})

    return Handler


@contextmanager
def running_provider():
    """A provider on the first free port of 8130-8139, for the duration of the block."""
    for port in PORTS:
        try:
            provider = OidcProvider(port)
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(provider))
            break
        except OSError:
            continue
    else:
        raise RuntimeError("No free port in 8130-8139 for the test OpenID Connect provider")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
