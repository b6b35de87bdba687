"""Runs importer commands in one process (`onconav import SOURCE FILE`, `onconav trials import FILE`, through
the CLI's own code) and prints, per job, a JSON line: exit code, a crash (an exception the CLI did not turn
into an error message), and the peak RSS of that job (the peak is reset before each one).

Used by reliability.hostile: `python -m reliability.import_worker JOBS.json` (a list of [source, path]).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType

JOB_TIMEOUT_S = 120


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _timeout(_signal: int, _frame: FrameType | None) -> None:
    raise TimeoutError(f"no answer within {JOB_TIMEOUT_S} s")


def main() -> None:
    from typer.testing import CliRunner

    from onconav import migrate
    from onconav.cli import app
    from onconav.db import create_db_engine

    engine = create_db_engine()
    migrate.upgrade(engine)
    engine.dispose()
    runner = CliRunner()
    signal.signal(signal.SIGALRM, _timeout)
    for source, path in json.loads(Path(sys.argv[1]).read_text()):
        arguments = ["trials", "import", path] if source == "trials" else ["import", source, path]
        _reset_peak()
        crash = None
        signal.alarm(JOB_TIMEOUT_S)
        try:
            result = runner.invoke(app, arguments, catch_exceptions=True)
            exit_code = result.exit_code
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                frames = traceback.extract_tb(result.exception.__traceback__)
                where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
                crash = f"{type(result.exception).__name__} at {where}"
        except TimeoutError as error:
            exit_code, crash = -1, str(error)
        finally:
            signal.alarm(0)
        print(
            json.dumps(
                {
                    "source": source,
                    "file": Path(path).name,
                    "exit": exit_code,
                    "crash": crash,
                    "peak_kib": _peak_kib(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
