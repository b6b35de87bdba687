"""Settings for onconav, read from environment variables (prefix ONCONAV_) or a .env file.

This is the only module that reads the environment; everything else asks `get_settings()`.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object for the whole application."""

    model_config = SettingsConfigDict(env_prefix="ONCONAV_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file and other state live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: sqlite:///<data_dir>/onconav.sqlite3. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    demo_size: str = Field(default="small", description="Demo data set loaded on first run.")
    default_locale: str = "en"
    map_tile_url: str | None = Field(
        default=None,
        description="A map tile server ('https://tiles.example.org/{z}/{x}/{y}.png') drawn under result maps "
        "instead of the packaged basemap; its origin must be allowed by the pages' img-src (docs/maps.md).",
    )
    # Accounts and the protection of patient data (onconav.accounts; see docs/security.md).
    key_file: Path | None = Field(
        default=None,
        description="The keyring (master keys that wrap the data keys); kept outside the database and the "
        "repository. Default: <data_dir>/keys/keyring.json; `onconav keys init` creates it ahead, else "
        "`onconav serve` (or a first use, with a warning) creates a missing one, atomically.",
    )
    session_idle_minutes: int = Field(default=30, description="Idle timeout of web sessions.")
    session_absolute_hours: int = Field(default=12, description="Absolute timeout of sessions.")
    access_token_minutes: int = Field(default=60, description="Lifetime of sign-in tokens.")
    step_up_minutes: int = Field(
        default=10, description="How recent a proof of identity account-security changes need."
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Secure flag on cookies; default: on, except plain http to localhost (development).",
    )
    argon2_memory_kib: int = Field(default=65536, description="Argon2id memory cost of password hashes.")
    argon2_time_cost: int = Field(default=3, description="Argon2id iterations of password hashes.")
    login_max_failures: int = Field(default=5, description="Failures per account per window.")
    login_window_minutes: int = Field(default=15, description="Window of the sign-in throttle.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL used in e-mails.")
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: mail is logged.")
    smtp_port: int = 25
    smtp_tls: str = Field(default="none", description="none, starttls or tls (implicit TLS).")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "onconav <no-reply@localhost>"
    start_up_sweep_min_age_seconds: float = Field(
        default=3600,
        ge=0,
        description="`onconav serve` removes upload leftovers older than this at start-up; younger ones may "
        "be uploads in flight on another machine sharing the document store.",
    )
    documents_dir: Path | None = Field(
        default=None, description="Where uploaded case documents live. Default: <data_dir>/documents."
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, description="Largest accepted upload.")
    max_archive_expanded_bytes: int = Field(
        default=1024 * 1024 * 1024, description="Largest total size of a ZIP of DICOM files once expanded."
    )
    # Request bodies, limited on the stream before any parsing (onconav.web.body_limits).
    max_request_bytes: int = Field(
        default=1024 * 1024, description="Largest request body of any route without a limit of its own."
    )
    max_upload_request_bytes: int | None = Field(
        default=None,
        description="Largest request body of the upload routes (records, message attachments) from a "
        "signed-in caller. Default: max_upload_bytes plus 1 MiB for the form around the file.",
    )
    body_limits: dict[str, int] = Field(
        default_factory=dict,
        description='Other limits per path, as JSON: {"/api/v1/some/path": bytes}; each key is a regular '
        "expression matched against the whole path, checked before the upload routes.",
    )
    audit_checkpoint_every: int = Field(
        default=100, description="Events between two signed checkpoints of the audit log's head."
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="The append-only file of signed audit checkpoints, outside the database. "
        "Default: <data_dir>/audit-checkpoints.jsonl.",
    )
    # Serving (onconav serve; see docs/serving.md for how these sizes fit together).
    workers: int | None = Field(
        default=None, description="Worker processes of `onconav serve`. Default: the number of cores."
    )
    worker_threads: int = Field(
        default=32,
        description="Threads per worker process that run request handlers (and so hold a "
        "database connection each).",
    )
    database_pool_size: int | None = Field(
        default=None,
        description="Database connections kept per worker process. Default: worker_threads, "
        "so that no request thread ever waits for a connection.",
    )
    database_pool_overflow: int = Field(
        default=4, description="Connections a worker process may open beyond the pool in a burst."
    )
    database_pool_timeout_seconds: float = Field(
        default=2.0,
        description="How long a request waits for a database connection before it is "
        "answered 503 with Retry-After.",
    )
    database_connect_timeout_seconds: int = Field(
        default=3, description="How long opening a PostgreSQL connection may take before it counts as down."
    )
    worker_start_seconds: int = Field(
        default=120,
        description="How long a worker process may take to answer its supervisor's health check (it "
        "imports the app and builds its reference data first) before it is deemed hung and replaced.",
    )
    graceful_shutdown_seconds: int = Field(
        default=60, description="On SIGTERM, how long requests in flight (uploads) may take to finish."
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token that may read /metrics from anywhere; without it, only "
        "loopback clients not behind a proxy may.",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="Prometheus multiprocess folder of a run with several workers, emptied "
        "at start. Default: a new private temporary folder per run.",
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="Set by `onconav serve` for its workers (prometheus-client's multiprocess mode).",
    )
    public_cache_seconds: int = Field(
        default=300,
        description="How long clients and shared caches may reuse a public API or FHIR read; also the "
        "lifetime of the server's own answer cache (answer_cache_entries).",
    )
    answer_cache_entries: int = Field(
        default=2000,
        ge=0,
        description="Answers to anonymous public reads (searches, results and profile pages, condition "
        "pages) each worker process keeps for public_cache_seconds and serves again without recomputing "
        "them (onconav.web.answer_cache); 0 turns the cache off.",
    )
    answer_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Most bytes of answers each worker process's answer cache holds (least recently used "
        "answers go first); 0 turns the cache off.",
    )
    # Quotes (docs/quotes.md): figures the operator supplies for the total cost of care (none: unknown).
    quotes_travel_per_km: Decimal | None = Field(
        default=None, ge=0, description="Travel per km and person, one way (in quotes_estimate_currency)."
    )
    quotes_stay_per_night: Decimal | None = Field(
        default=None, ge=0, description="Stay estimate per night and person (quotes_estimate_currency)."
    )
    quotes_estimate_currency: str = Field(
        default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency of the two figures above."
    )
    access_log: bool = Field(default=True, description="One JSON line per request on the onconav.access log.")
    expose_worker_pid: bool = Field(
        default=False, description="Test and diagnosis only: an X-Onconav-Worker header with the process id."
    )
    # Test-only: URL of a PostgreSQL server for the suite; CI=true makes PostgreSQL tests mandatory.
    test_postgres_url: str | None = None
    ci: bool = Field(default=False, validation_alias="CI")

    @property
    def effective_workers(self) -> int:
        """Worker processes actually started by `onconav serve`."""
        return max(1, self.workers or os.cpu_count() or 1)

    @property
    def effective_database_pool_size(self) -> int:
        """Database connections kept per worker process."""
        return self.database_pool_size or self.worker_threads

    @property
    def effective_key_file(self) -> Path:
        """The keyring file actually used."""
        return self.key_file or self.data_dir / "keys" / "keyring.json"

    @property
    def effective_max_upload_request_bytes(self) -> int:
        """The body limit of the upload routes actually used."""
        return self.max_upload_request_bytes or self.max_upload_bytes + 1024 * 1024

    @property
    def effective_audit_checkpoint_file(self) -> Path:
        """The audit checkpoint file actually used."""
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def effective_documents_dir(self) -> Path:
        """The folder of stored case documents."""
        return (self.documents_dir or self.data_dir / "documents").resolve()

    @property
    def effective_database_url(self) -> str:
        """The database URL actually used: the explicit one, or the SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'onconav.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache when they change the environment)."""
    return Settings()


def child_process_environment(**extra: str) -> dict[str, str]:
    """The environment for a tool onconav runs (pg_dump, pg_restore): this process's, plus `extra`
    (e.g. PGPASSWORD, which must not appear on a command line)."""
    return {**os.environ, **extra}


def set_inherited_variable(name: str, value: str | None) -> None:
    """Set (or, with None, remove) a variable of this process's environment that worker processes started
    afterwards inherit, such as prometheus-client's multiprocess folder; settings are still read here only."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
