"""Folders and files only their owner can read: the data directory, the database and its WAL, documents,
keys and backups are created 0700 (folders) and 0600 (files) whatever the process's umask.

Only what onconav creates is changed: an existing folder (say /tmp, or a volume an operator prepared) keeps
its mode, so that onconav never locks others out of a folder it does not own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` and its missing parents, each 0700 (the mode is set after creation, so a umask that
    would leave more, or less, does not count); existing folders are left as they are."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, FOLDER_MODE)
        except FileExistsError:
            continue  # made by another process at the same moment: theirs is private too
        os.chmod(folder, FOLDER_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create `path` empty and 0600 when it does not exist (a file that exists is left as it is)."""
    private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def open_new_private(path: Path) -> BinaryIO:
    """A new file at `path` (FileExistsError when there is one), 0600 from its first byte, for writing."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        return os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        raise


def make_private(path: Path) -> None:
    """Set a file onconav just wrote (a backup, a restored file) to 0600."""
    os.chmod(path, FILE_MODE)
