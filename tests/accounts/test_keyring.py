"""The keyring is created once and atomically: `onconav keys init` refuses to replace one, `onconav serve`
creates a missing one before it starts, and processes racing to create it all end up using the same one.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.accounts import crypto
from onconav.cli import app
from onconav.config import get_settings

runner = CliRunner()

RACER = textwrap.dedent(
    """
    import sys
    from onconav.accounts import crypto

    print("ready", flush=True)
    sys.stdin.readline()  # every racer waits here, then all go at once
    created = crypto.ensure_keyring()
    keyring = crypto.load_keyring()
    print(created, keyring.current, crypto.derive_secret("audit").hex(), flush=True)
    """
)


def _race(key_file: Path, racers: int) -> list[list[str]]:
    """Start `racers` processes that each create-or-read the keyring at the same moment; their answers."""
    environment = {**os.environ, "ONCONAV_KEY_FILE": str(key_file)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(racers)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    answers = []
    for process in processes:
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        answers.append(output.split())
    return answers


def test_processes_racing_to_create_the_keyring_all_use_one(tmp_path: Path) -> None:
    for round_number in range(3):
        key_file = tmp_path / f"round{round_number}" / "keys" / "keyring.json"
        answers = _race(key_file, racers=4)
        assert [created for created, _current, _secret in answers].count("True") == 1
        assert len({(current, secret) for _created, current, secret in answers}) == 1
        assert json.loads(key_file.read_text())["current"] == answers[0][1]
        assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left behind
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_loser_of_a_race_reads_the_winners_keyring(
    tmp_path: Path, accounts_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = crypto.create_keyring(tmp_path / "winner.json")
    real_link = os.link

    def another_process_links_first(source: Any, target: Any) -> None:
        real_link(winner, target)
        real_link(source, target)  # FileExistsError, as for a real loser

    monkeypatch.setattr(crypto.os, "link", another_process_links_first)
    assert crypto.ensure_keyring() is False
    assert crypto.load_keyring().path.read_bytes() == winner.read_bytes()
    assert list(accounts_settings.parent.iterdir()) == [accounts_settings]


def test_a_failed_write_leaves_no_keyring(accounts_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(crypto.json, "dump", disk_full)
    with pytest.raises(OSError):
        crypto.create_keyring()
    assert list(accounts_settings.parent.iterdir()) == []  # neither a half keyring nor a temporary file


def test_keys_init_creates_the_keyring_once(accounts_settings: Path) -> None:
    created = runner.invoke(app, ["keys", "init"])
    assert created.exit_code == 0, created.output
    assert str(accounts_settings) in created.output
    assert stat.S_IMODE(accounts_settings.stat().st_mode) == 0o600
    keyring = crypto.load_keyring()
    assert keyring.current in keyring.master_keys and len(keyring.secret) == 32
    before = accounts_settings.read_bytes(), accounts_settings.stat().st_mtime_ns

    again = runner.invoke(app, ["keys", "init"])
    assert again.exit_code == 2
    assert "already exists" in again.output and str(accounts_settings) in again.output
    assert (accounts_settings.read_bytes(), accounts_settings.stat().st_mtime_ns) == before


def test_first_use_creates_a_missing_keyring(
    accounts_settings: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert not accounts_settings.exists()
    keyring = crypto.load_keyring()
    assert accounts_settings.exists() and keyring.path == accounts_settings
    assert "onconav keys init" in caplog.text
    assert crypto.load_keyring() == keyring


@pytest.fixture
def serve_without_listening(
    engine: Engine,
    directory_links: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> list[Any]:
    """`onconav serve` up to the point where it would listen: the calls to uvicorn.run are recorded.
    (The directory is not empty, so no demo is loaded.)"""
    import uvicorn

    import onconav.cli

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.append(application))
    monkeypatch.setattr(onconav.cli, "warm_up_reference_data", lambda: None)
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    return started


def test_serve_creates_a_missing_keyring_before_it_starts(
    serve_without_listening: list[Any], accounts_settings: Path
) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert serve_without_listening, "the server did not start"
    assert "onconav keys init" in result.output and "ONCONAV_KEY_FILE" in result.output
    assert stat.S_IMODE(accounts_settings.stat().st_mode) == 0o600


def test_serve_makes_its_data_directory_private_whatever_the_umask(
    serve_without_listening: list[Any], accounts_settings: Path, tmp_path: Path
) -> None:
    previous = os.umask(0)
    try:
        result = runner.invoke(app, ["serve"])
        assert os.umask(0) == 0  # the server's own umask ends with it
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert stat.S_IMODE(accounts_settings.parent.stat().st_mode) == 0o700


def test_serve_keeps_an_existing_keyring(serve_without_listening: list[Any], accounts_settings: Path) -> None:
    crypto.create_keyring()
    before = accounts_settings.read_bytes()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert serve_without_listening and "keys init" not in result.output
    assert accounts_settings.read_bytes() == before


def test_serve_refuses_an_unreadable_keyring(
    serve_without_listening: list[Any], accounts_settings: Path
) -> None:
    accounts_settings.parent.mkdir(parents=True)
    accounts_settings.write_text('{"format": "onconav-keyring-1", "current": ')
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "cannot be read" in result.output
    assert not serve_without_listening
