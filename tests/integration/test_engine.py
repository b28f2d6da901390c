"""The embedded engine's lifecycle and the messages it gives when it cannot start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from api.settings import ApiSettings
from graph import engine
from graph.errors import EngineError
from tests.helpers import free_port, frozen

pytestmark = pytest.mark.embedded_only(reason="starts, stops and breaks the embedded engine")


def private_settings(tmp_path: Path, **overrides: object) -> ApiSettings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "engine",
        "bolt_port": free_port(),
        "http_port": free_port(),
        "start_timeout": 60.0,
        **overrides,
    }
    return ApiSettings.model_validate(values)


def test_start_status_stop(tmp_path: Path) -> None:
    own = private_settings(tmp_path)
    assert engine.status(own).running is False
    started = engine.start(own)
    try:
        assert started.running
        assert started.pid is not None
        assert engine.status(own).pid == started.pid
        assert engine.start(own).pid == started.pid  # already running: no second engine
        files = engine.files_for(own)
        for secret in (files.password, files.arguments):
            assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert engine.root_password(own) not in Path(f"/proc/{started.pid}/cmdline").read_text()
    finally:
        assert engine.stop(own) is True
    assert engine.status(own).running is False
    assert not Path(f"/proc/{started.pid}").exists()
    assert engine.stop(own) is False


def test_a_frozen_engine_is_restarted_on_its_own_ports(tmp_path: Path) -> None:
    # SIGKILL leaves a frozen JVM's main thread a zombie while its other threads die, and its
    # ports stay open until the last one has gone: restart must wait for that, not fail.
    own = private_settings(tmp_path, query_timeout=4.0)
    frozen_pid = engine.start(own).pid
    assert frozen_pid is not None
    try:
        with frozen(frozen_pid):
            restarted = engine.restart(own, grace=1.0)
        assert restarted.running
        assert restarted.pid not in (None, frozen_pid)
        assert not Path(f"/proc/{frozen_pid}").exists()
    finally:
        engine.stop(own)


LOOPBACK = ("0100007F", "0000000000000000FFFF00000100007F")  # 127.0.0.1, as IPv4 and mapped IPv6
LISTEN = "0A"


def test_listens_on_loopback_only(settings: ApiSettings) -> None:
    ours = {settings.bolt_port, settings.http_port}
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, port = local.split(":")
            if state == LISTEN and int(port, 16) in ours:
                addresses.add(host)
    assert addresses, "the engine's ports were not found listening"
    assert addresses <= set(LOOPBACK), addresses


def test_a_taken_port_is_named(settings: ApiSettings, tmp_path: Path) -> None:
    clash = private_settings(tmp_path, bolt_port=settings.bolt_port)
    with pytest.raises(EngineError, match=rf"Port {settings.bolt_port} .* already taken"):
        engine.start(clash)


def test_a_locked_data_directory_is_named(settings: ApiSettings) -> None:
    # Another engine (one this pid file does not know about) holds the directory.
    files = engine.files_for(settings)
    pid_text = files.pid.read_text()
    files.pid.unlink()
    other = settings.model_copy(update={"bolt_port": free_port(), "http_port": free_port()})
    try:
        with pytest.raises(EngineError, match="is locked by another engine process"):
            engine.start(other)
    finally:
        files.pid.write_text(pid_text)
    assert engine.status(settings).running


def test_a_failed_start_shows_the_log(tmp_path: Path) -> None:
    broken = private_settings(tmp_path, engine_heap="not-a-size")
    with pytest.raises(EngineError, match="exited with code") as failure:
        engine.start(broken)
    assert "Invalid maximum heap size" in str(failure.value)
    assert engine.status(broken).running is False
