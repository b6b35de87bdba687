"""Settings for onconav, read from environment variables (prefix ONCONAV_) or a .env file.

This is the only module that reads the environment; everything else asks `get_settings()`.
"""

from __future__ import annotations

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
    documents_dir: Path | None = Field(
        default=None, description="Where uploaded case documents live. Default: <data_dir>/documents."
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, description="Largest accepted upload.")
    max_archive_expanded_bytes: int = Field(
        default=1024 * 1024 * 1024, description="Largest total size of a ZIP of DICOM files once expanded."
    )
    # Test-only: URL of a PostgreSQL server for the suite; CI=true makes PostgreSQL tests mandatory.
    test_postgres_url: str | None = None
    ci: bool = Field(default=False, validation_alias="CI")

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
