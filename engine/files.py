"""Writing output files safely: all or nothing, with the permissions a user expects."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def save_atomically(path: Path, content: str | bytes) -> None:
    """Write a temporary file beside `path`, then rename it over it: a crash never leaves half a file.

    mkstemp creates owner-only files; a report or questionnaire is meant to be shared, so the result gets
    the mode a plain `open(path, "w")` would give (the umask's), or keeps the mode of the file it replaces.
    """
    parent = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    handle, temp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
