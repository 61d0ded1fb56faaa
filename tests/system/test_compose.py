"""docker-compose.yml is valid and every process it starts also runs natively."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.procs import BIN, ROOT, env_with

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def test_the_cluster_has_every_part(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"proxy", "web", "redis", "postgres", "worker", "beat", "mail"} <= services.keys()
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["web"]["environment"]["SOCKETIO_ASYNC_MODE"] == "gevent"
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["REDIS_URL"].startswith("redis://")
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["MAIL_URL"].startswith("smtp://")


def test_proxy_is_sticky_and_upgrades_websockets(compose: dict[str, Any]) -> None:
    volume = compose["services"]["proxy"]["volumes"][0]
    conf = (ROOT / volume.split(":")[0]).read_text()
    assert "ip_hash;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf


def _app_commands(compose: dict[str, Any]) -> list[list[str]]:
    return [svc["command"] for svc in compose["services"].values()
            if isinstance(svc.get("command"), list) and svc["command"][0] in ("convene", "celery")]


def test_every_app_process_is_a_convene_or_celery_command(compose: dict[str, Any]) -> None:
    commands = _app_commands(compose)
    assert len(commands) == 4  # migrate, web, worker, beat
    for name in ("web", "worker", "beat", "migrate"):
        assert compose["services"][name]["command"][0] in ("convene", "celery")


def test_each_command_is_accepted_natively(compose: dict[str, Any], tmp_path: Path) -> None:
    env = env_with(INSTANCE_PATH=str(tmp_path))
    for command in _app_commands(compose):
        # The same program and subcommand, asked for its help: it exists and takes these options.
        args = [str(BIN / command[0])]
        if command[0] == "convene":
            args += [command[1]] + (command[2:3] if command[1] == "db" else []) + ["--help"]
        else:
            args += [*command[1:4], "--help"]
        result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
        for option in command[2:]:
            if option.startswith("--"):
                assert option.split("=")[0] in result.stdout, (command, option)


def test_compose_client_accepts_the_file() -> None:
    # scripts/test installs Debian's docker-compose; only a developer without it may skip.
    for cmd in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(cmd[0]) is None:
            continue
        probe = subprocess.run([*cmd, "version"], capture_output=True, text=True)
        if probe.returncode != 0:
            continue
        result = subprocess.run([*cmd, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True,
                                text=True, env={**env_with(), "SECRET_KEY": "x" * 32})
        assert result.returncode == 0, result.stderr
        return
    if os.environ.get("CI"):
        pytest.fail("no working compose client: scripts/test should have installed docker-compose")
    pytest.skip("no working compose client on this machine")
