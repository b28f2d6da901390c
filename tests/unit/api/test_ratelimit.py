from __future__ import annotations

import time

import pytest

from api.auth import VerifiedKeys
from api.ratelimit import RateLimiter, identity


def test_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.wait("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("a", now=0.0) == 1.0  # one token a second
    assert limiter.wait("b", now=0.0) == 0.0  # identities do not share a bucket
    assert limiter.wait("a", now=1.0) == 0.0


def test_identity_is_a_verified_key_else_the_address() -> None:
    verified = VerifiedKeys()
    token = "cgk_abc123_secret_part"  # noqa: S105 - a made-up key
    keyed = {"headers": [(b"authorization", f"Bearer {token}".encode())], "client": ("1.2.3.4", 9)}
    # Until the token is verified, it is only text its sender chose: the address counts.
    assert identity(keyed, verified) == "ip:1.2.3.4"
    verified.remember(token, "abc123")
    assert identity(keyed, verified) == "key:abc123"
    # The same id with another secret is not that key.
    junk = {"headers": [(b"authorization", b"Bearer cgk_abc123_junk")], "client": ("5.6.7.8", 9)}
    assert identity(junk, verified) == "ip:5.6.7.8"
    assert identity({"headers": [], "client": ("1.2.3.4", 9)}, verified) == "ip:1.2.3.4"
    forged = {"headers": [(b"x-forwarded-for", b"9.9.9.9")], "client": ("1.2.3.4", 9)}
    assert identity(forged, verified) == "ip:1.2.3.4"


def test_a_verified_token_is_forgotten_after_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    verified = VerifiedKeys(ttl=60)
    verified.remember("cgk_abc123_secret", "abc123")
    assert verified.key_id("cgk_abc123_secret") == "abc123"
    later = time.monotonic() + 61
    monkeypatch.setattr("api.auth.time.monotonic", lambda: later)
    assert verified.key_id("cgk_abc123_secret") is None
