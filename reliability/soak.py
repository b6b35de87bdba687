"""Soak: mixed traffic (searches, case reads, cases with a message and a PDF record) for 10 minutes with
the server's resident memory (RSS, workers included) sampled every 10 s.

`python -m reliability.soak [--short]` (short: 20 s, sampled every 2 s). Goal: RSS flat within 10 %
(the last sample against the first one after warm-up). Invariants (CI): no 5xx and no request without an
answer, the server alive, no traceback in its log.
"""

from __future__ import annotations

import itertools
import threading
import time

import httpx

from reliability.lab import Lab
from reliability.report import Report, main
from reliability.traffic import SEARCHES, Ledger, bearer, make_patients, write_case_round

CLIENTS = 8
GROWTH_GOAL = 0.10


def _client_loop(
    base_url: str, headers: dict[str, str], ledger: Ledger, stop: threading.Event, name: str
) -> None:
    searches = itertools.cycle(SEARCHES)
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        for turn in itertools.count():
            if stop.is_set():
                return
            if turn % 4 == 3:
                write_case_round(client, ledger, f"{name}-{turn}", with_document=turn % 8 == 7)
                continue
            try:
                ledger.count(client.get(next(searches)).status_code)
            except httpx.HTTPError:
                ledger.count(0)


def run(lab: Lab, short: bool) -> Report:
    report = Report("soak")
    duration, interval = (20.0, 2.0) if short else (600.0, 10.0)
    server = lab.demo_server()
    emails = make_patients(server.database_url, CLIENTS, prefix="soak")
    ledger = Ledger()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=_client_loop, args=(server.url, bearer(server.url, email), ledger, stop, f"soak{n}")
        )
        for n, email in enumerate(emails)
    ]
    report.say(
        f"{CLIENTS} clients for {duration:.0f} s: 3 searches, then a case with a message (a PDF every other)"
    )
    samples: list[int] = []
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        while (elapsed := time.monotonic() - started) < duration:
            time.sleep(max(0.0, interval - elapsed % interval))
            samples.append(server.rss_kib())
            report.say(f"  {time.monotonic() - started:5.0f} s  RSS {samples[-1] / 1024:7.1f} MiB")
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    requests = sum(ledger.statuses.values())
    report.say(f"requests: {requests}; answers by status: {dict(sorted(ledger.statuses.items()))}")
    report.say(f"acknowledged writes: {ledger.acknowledged}")
    baseline = samples[1] if len(samples) > 2 else samples[0]  # the first sample after warm-up
    growth = (samples[-1] - baseline) / baseline
    report.say(
        f"RSS after warm-up {baseline / 1024:.1f} MiB, last {samples[-1] / 1024:.1f} MiB, "
        f"highest {max(samples) / 1024:.1f} MiB"
    )
    report.goal("RSS flat within 10 %", abs(growth) <= GROWTH_GOAL, f"{growth * 100:+.1f} %")
    server_errors = sum(count for status, count in ledger.statuses.items() if status >= 500 or status == 0)
    report.check("no 5xx and no request without an answer", server_errors == 0)
    report.check("server alive after the soak", server.alive)
    report.check("no traceback in the server log", server.tracebacks() == 0)
    return report


if __name__ == "__main__":
    main(run, __doc__.split("\n", 1)[0])
