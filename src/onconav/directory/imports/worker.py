"""Reading and preparing in a second process while the first writes (`run_import(parallel=True)`).

Parsing and database work then overlap on two cores; outcomes come back in file order through a bounded queue.
"""

from __future__ import annotations

import multiprocessing
import queue as queues
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onconav.directory.imports.framework import ImportSource, Outcome

WORKER_CHUNK = 2_000  # outcomes per message from the preparing process
WORKER_QUEUE = 8  # messages in flight at most: memory stays bounded
POLL_SECONDS = 1.0  # how often the writing process checks that the preparing one still runs


class _WorkerFailure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _prepare_worker(
    source: ImportSource[Any, Any], path: Path, start_row: int, start_offset: int, channel: Any
) -> None:
    """In the worker process: read and prepare every record, send outcomes in chunks, then None."""
    try:
        chunk: list[tuple[int, int, Outcome[Any]]] = []
        for record in source.records(path, start_row=start_row, start_offset=start_offset):
            chunk.append((record.row, record.end_offset, source.prepare(record)))
            if len(chunk) >= WORKER_CHUNK:
                channel.put(chunk)
                chunk = []
        channel.put(chunk)
        channel.put(None)
    except BaseException as error:  # sent to the parent, which raises it
        channel.put(_WorkerFailure(error))


def prepared_in_worker(
    source: ImportSource[Any, Any], path: Path, start_row: int, start_offset: int
) -> Iterator[tuple[int, int, Outcome[Any]]]:
    """(row, byte offset after it, outcome) of every record, read and prepared in a forked process."""
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=WORKER_QUEUE)
    process = context.Process(
        target=_prepare_worker, args=(source, path, start_row, start_offset, channel), daemon=True
    )
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=POLL_SECONDS)
            except queues.Empty:
                if not process.is_alive():
                    raise RuntimeError("the preparing process stopped unexpectedly") from None
                continue
            if message is None:
                break
            if isinstance(message, _WorkerFailure):
                raise message.error
            yield from message
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
