from __future__ import annotations

from api.ratelimit import RateLimiter, _identity


def test_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.wait("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("a", now=0.0) == 1.0  # one token a second
    assert limiter.wait("b", now=0.0) == 0.0  # identities do not share a bucket
    assert limiter.wait("a", now=1.0) == 0.0


def test_identity_is_the_key_id_or_the_address() -> None:
    keyed = {
        "headers": [(b"authorization", b"Bearer cgk_abc123_secret_part")],
        "client": ("1.2.3.4", 9),
    }
    assert _identity(keyed) == "key:abc123"
    assert _identity({"headers": [], "client": ("1.2.3.4", 9)}) == "ip:1.2.3.4"
    forged = {"headers": [(b"x-forwarded-for", b"9.9.9.9")], "client": ("1.2.3.4", 9)}
    assert _identity(forged) == "ip:1.2.3.4"
