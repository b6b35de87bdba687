"""Hostile input: the generated corpus (reliability.corpus) replayed against every importer (`onconav
import SOURCE`, `onconav trials import`) and every upload route (records and message attachments, API and
pages), plus path tricks in upload names and huge headers.

`python -m reliability.hostile [--short]` (short: a 64 MiB bomb instead of 2 GiB, each file sent to the
importers of its kind only, and to two upload routes: the API's records and the pages' attachments).
Invariants (CI): no 5xx, no request without an answer, no importer crash or hang, every importer's peak
RSS under 1 GiB, the server alive with no traceback, its RSS grown by less than 1 GiB.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from reliability import corpus
from reliability.lab import PASSWORD, Lab, Server
from reliability.report import Report, main
from reliability.traffic import bearer, make_patients, pdf_bytes

# The short form sends each file to the importers of its own kind only; the full form to every importer.
SHORT_IMPORTERS_BY_SUFFIX = {
    ".csv": ("nppes", "cms-hospitals"),
    ".json": ("fhir", "nppes-api-saved", "trials"),
    ".xml": ("trials",),
}
SHORT_UPLOAD_ROUTES = ("API record", "page attachment")
MEMORY_BOUND_KIB = 1024 * 1024
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def importers() -> tuple[str, ...]:
    from onconav.directory.imports import registry

    return (*registry.names(), "trials")


def replay_importers(report: Report, lab: Lab, hostile: list[corpus.HostileFile], short: bool) -> None:
    every_importer = importers()
    jobs = []
    for item in hostile:
        names = SHORT_IMPORTERS_BY_SUFFIX.get(item.path.suffix, ("nppes",)) if short else every_importer
        jobs += [
            (source, str(item.path)) for source in names if "*" in item.targets or source in item.targets
        ]
    jobs_file = lab.folder / "import-jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    environment = lab.environment(
        data_dir=str(lab.folder / "imports"), database_url=f"sqlite:///{lab.folder / 'imports.sqlite3'}"
    )
    (lab.folder / "imports").mkdir(exist_ok=True)
    report.say(f"-- {len(jobs)} imports of {len(hostile)} files ({'by kind' if short else 'every importer'})")
    finished = subprocess.run(
        [sys.executable, "-m", "reliability.import_worker", str(jobs_file)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=Path(__file__).resolve().parent.parent,
    )
    results = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    report.check("the import worker ran every job", finished.returncode == 0 and len(results) == len(jobs))
    if finished.returncode != 0:
        report.say(finished.stderr[-2000:])
    crashes = [result for result in results if result["crash"]]
    for crash in crashes:
        report.say(f"  CRASH {crash['source']} {crash['file']}: {crash['crash']}")
    exits: dict[int, int] = {}
    for result in results:
        exits[result["exit"]] = exits.get(result["exit"], 0) + 1
    peak = max((result["peak_kib"] for result in results), default=0)
    heaviest = max(results, key=lambda result: result["peak_kib"], default=None)
    report.say(
        f"  exit codes: {exits}; highest peak RSS {peak / 1024:.0f} MiB ({heaviest and heaviest['file']})"
    )
    report.check("no importer crash or hang", not crashes)
    report.check("every importer's peak RSS under 1 GiB", peak < MEMORY_BOUND_KIB)


def _signed_in_browser(server: Server, email: str, case_id: str) -> tuple[httpx.Client, str]:
    browser = httpx.Client(base_url=server.url, timeout=120)
    sign_in_page = browser.get("/sign-in")
    token = CSRF_FIELD.search(sign_in_page.text)
    assert token is not None
    browser.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "next": "/account", "csrf_token": token.group(1)},
    )
    case_page = browser.get(f"/cases/{case_id}")
    form_token = CSRF_FIELD.search(case_page.text)
    return browser, form_token.group(1) if form_token else ""


def replay_uploads(report: Report, server: Server, hostile: list[corpus.HostileFile], short: bool) -> None:
    email = make_patients(server.database_url, 1, prefix="hostile")[0]
    headers = bearer(server.url, email)
    api = httpx.Client(base_url=server.url, headers=headers, timeout=120)
    case_id = api.post("/api/v1/cases", json={"title": "Hostile", "diagnosis": "lung cancer"}).json()["id"]
    browser, form_token = _signed_in_browser(server, email, case_id)
    before_rss, before_tracebacks = server.rss_kib(), server.tracebacks()
    statuses: dict[str, dict[int, int]] = {}

    def note(route: str, status: int) -> None:
        statuses.setdefault(route, {})
        statuses[route][status] = statuses[route].get(status, 0) + 1
        if status >= 500 or status == 0:
            report.say(f"  {status or 'no answer'} from {route} for {current}")

    for item in hostile:
        current = item.name
        data = item.path.read_bytes()
        for route, client, path, field, extra in (
            ("API record", api, f"/api/v1/cases/{case_id}/documents", "file", {}),
            ("API attachment", api, f"/api/v1/cases/{case_id}/messages", "files", {"body": "see attached"}),
            ("page record", browser, f"/cases/{case_id}/documents", "file", {"csrf_token": form_token}),
            (
                "page attachment",
                browser,
                f"/cases/{case_id}/messages",
                "file",
                {"body": "see attached", "csrf_token": form_token},
            ),
        ):
            if short and route not in SHORT_UPLOAD_ROUTES:
                continue
            try:
                answer = client.post(path, files={field: (item.name, io.BytesIO(data))}, data=extra)
                note(route, answer.status_code)
            except httpx.HTTPError:
                note(route, 0)
    pdf = pdf_bytes("tricky names")
    for name in corpus.TRICKY_NAMES:
        current = repr(name[:40])
        try:
            answer = api.post(
                f"/api/v1/cases/{case_id}/documents",
                files={"file": (name, io.BytesIO(pdf), "application/pdf")},
            )
            note("API record, tricky name", answer.status_code)
            if answer.status_code == 201:
                stored = answer.json()["filename"]
                report.check("a stored name has no path in it", "/" not in stored and "\\" not in stored)
        except httpx.HTTPError:
            note("API record, tricky name", 0)
    for route, statuses_seen in statuses.items():
        report.say(f"  {route}: {dict(sorted(statuses_seen.items()))}")
    every = [status for seen in statuses.values() for status, count in seen.items() for _ in range(count)]
    report.check(
        "no 5xx and no request without an answer from an upload route", all(0 < s < 500 for s in every)
    )
    huge_headers(report, server)
    after_rss = server.rss_kib()
    report.say(f"  server RSS before {before_rss / 1024:.0f} MiB, after {after_rss / 1024:.0f} MiB")
    report.check("server RSS grew by less than 1 GiB", after_rss - before_rss < MEMORY_BOUND_KIB)
    report.check("server alive", server.alive)
    report.check("no traceback in the server log", server.tracebacks() == before_tracebacks)
    api.close()
    browser.close()


def huge_headers(report: Report, server: Server) -> None:
    attempts = {
        "one 100 KB header": {"X-Big": "a" * 100_000},
        "2,000 headers": {f"X-H{n}": "v" for n in range(2000)},
        "a 64 KB cookie": {"Cookie": "onconav_session=" + "b" * 65_536},
        "a 64 KB CSRF header": {"X-CSRF-Token": "c" * 65_536},
    }
    seen: dict[str, int | str] = {}
    for name, headers in attempts.items():
        try:
            seen[name] = httpx.get(server.url + "/", headers=headers, timeout=60).status_code
        except httpx.HTTPError as error:
            seen[name] = f"no answer ({type(error).__name__})"
    try:
        seen["a 60 KB URL"] = httpx.get(server.url + "/" + "x" * 60_000, timeout=60).status_code
    except httpx.HTTPError as error:
        seen["a 60 KB URL"] = f"no answer ({type(error).__name__})"
    report.say(f"  huge headers: {seen}")
    report.check("no 5xx for huge headers", all(not isinstance(s, int) or s < 500 for s in seen.values()))
    report.check(
        "the server answers after huge headers", httpx.get(server.url + "/", timeout=60).status_code == 200
    )


def run(lab: Lab, short: bool) -> Report:
    report = Report("hostile")
    with tempfile.TemporaryDirectory(dir=lab.folder) as folder:
        hostile = corpus.build(Path(folder), short=short)
        report.say(f"corpus: {len(hostile)} files generated in {folder}")
        replay_uploads(report, lab.demo_server(), hostile, short)
        replay_importers(report, lab, hostile, short)
    return report


if __name__ == "__main__":
    main(run, __doc__.split("\n", 1)[0])
