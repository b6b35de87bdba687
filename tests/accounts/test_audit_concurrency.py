"""The audit chain under concurrency, on both databases: events are chained when their transaction commits,
so a transaction that recorded an event and is still running holds up nobody; appends from many threads
and from several processes at once leave one unbroken chain with exactly the committed events; an event
whose transaction rolls back is never appended, even when the same session commits later."""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import audit
from onconav.accounts.models import AuditEvent
from onconav.db import create_db_engine, make_session_factory, unit_of_work

WAIT_S = 60  # a bound on waits, so that a broken build fails instead of hanging; never a measure of speed


def _in_threads(*targets: Callable[[], None]) -> list[threading.Thread]:
    """Start each target in a thread of its own; an exception in one is re-raised by `_joined`."""
    threads = []
    for target in targets:
        thread = threading.Thread(target=_keep_failure(target), daemon=True)
        thread.start()
        threads.append(thread)
    return threads


FAILURES: list[BaseException] = []


def _keep_failure(target: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            target()
        except BaseException as error:
            FAILURES.append(error)

    return run


def _joined(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(WAIT_S)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if FAILURES:
        failure = FAILURES[0]
        FAILURES.clear()
        raise failure


def _chain(factory: sessionmaker[Session]) -> tuple[audit.VerifyReport, list[str | None]]:
    with factory() as session:
        report = audit.verify(session)
        actors = list(session.scalars(select(AuditEvent.actor_id).order_by(AuditEvent.sequence)))
    return report, actors


def test_an_open_transaction_that_recorded_an_event_holds_up_no_other_append(
    factory: sessionmaker[Session],
) -> None:
    """The slow request recorded its event first, but the quick one commits while the slow one is still
    open (taking the chain's head when recording would make it wait for the slow one's commit)."""
    recorded, release = threading.Event(), threading.Event()

    def slow_request() -> None:
        with unit_of_work(factory) as session:
            session.execute(select(func.count()).select_from(AuditEvent))  # the request reads ...
            audit.record(session, event_type="case.read", action="read", actor_id="slow")
            recorded.set()
            assert release.wait(WAIT_S)  # ... and is still at work

    def quick_request() -> None:
        with unit_of_work(factory) as session:
            audit.record(session, event_type="case.read", action="read", actor_id="quick")

    slow = _in_threads(slow_request)
    assert recorded.wait(WAIT_S)
    quick = _in_threads(quick_request)
    for thread in quick:
        thread.join(WAIT_S)
    quick_finished_while_slow_was_open = not quick[0].is_alive()
    release.set()
    _joined(slow + quick)

    assert quick_finished_while_slow_was_open
    report, actors = _chain(factory)
    assert report.intact, report.problems
    assert actors == ["quick", "slow"]  # the chain is in commit order


def test_appends_from_many_threads_at_once_leave_one_chain_of_the_committed_events(
    factory: sessionmaker[Session],
) -> None:
    threads, rounds = 8, 12
    committed = [0] * threads
    start = threading.Barrier(threads)

    def writer(number: int) -> Callable[[], None]:
        def run() -> None:
            chance = random.Random(number)
            start.wait(WAIT_S)
            for round_number in range(rounds):
                events = chance.randint(1, 3)
                fails = round_number % 4 == 3
                try:
                    with unit_of_work(factory) as session:
                        for _ in range(events):
                            audit.record(
                                session, event_type="case.read", action="read", actor_id=f"writer{number}"
                            )
                        if fails:
                            raise LookupError("this request fails: its events are never appended")
                except LookupError:
                    continue
                committed[number] += events
                if round_number % 5 == 1:  # a denial: committed alone, in a transaction of its own
                    with factory() as session:
                        audit.record_in_own_transaction(
                            session, event_type="case.read", action="read", outcome="denied"
                        )
                    committed[number] += 1

        return run

    _joined(_in_threads(*(writer(number) for number in range(threads))))

    report, actors = _chain(factory)
    assert report.intact, report.problems
    assert report.events == len(actors) == sum(committed)


def test_events_of_a_rolled_back_transaction_are_not_appended_when_the_session_commits_later(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory) as session:
        dropped = audit.record(session, event_type="case.read", action="read", actor_id="dropped")
        session.rollback()
        kept = audit.record(session, event_type="case.read", action="read", actor_id="kept")
    report, actors = _chain(factory)
    assert report.intact and actors == ["kept"]
    assert dropped.sequence is None and kept.sequence == 1


def test_events_are_chained_only_at_commit_and_in_the_order_recorded(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        first = audit.record(session, event_type="case.read", action="read", actor_id="first")
        second = audit.record(session, event_type="case.update", action="update", actor_id="second")
        assert first.sequence is None  # not in the chain yet: nothing holds its head
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash
    report, actors = _chain(factory)
    assert report.intact and actors == ["first", "second"]


def _append_in_own_process(database_url: str, actor: str, transactions: int) -> None:
    """A process of its own (another app server), appending one event per transaction."""
    engine = create_db_engine(database_url)
    try:
        factory = make_session_factory(engine)
        for _ in range(transactions):
            with unit_of_work(factory) as session:
                audit.record(session, event_type="case.read", action="read", actor_id=actor)
    finally:
        engine.dispose()


@pytest.mark.parametrize("processes", [2])
def test_appends_from_several_processes_at_once_leave_one_chain(
    engine: Engine, factory: sessionmaker[Session], processes: int
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with unit_of_work(factory) as session:  # the keyring exists before the processes derive the key
        audit.record(session, event_type="audit.start", actor_id="parent")
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_in_own_process, args=(url, f"process{number}", 40))
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
    assert [worker.exitcode for worker in workers] == [0] * processes

    report, actors = _chain(factory)
    assert report.intact, report.problems
    assert report.events == 1 + 40 * processes
    assert {actor for actor in actors if actor != "parent"} == {f"process{n}" for n in range(processes)}
