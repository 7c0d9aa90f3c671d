"""The command group, error handling and safe output shared by every command."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..errors import EngineError, InputError
from ..files import save_atomically

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_GAPS, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="vpsa")
def main() -> None:
    """Assess security and human rights practice against the Voluntary Principles (VPSHR).

    \b
    Start with:  vpsa assess assessments/examples/kivu-gold-self.yaml
    Exit codes:  0 done, 1 gaps at or above --fail-on, 2 bad input or usage, 3 engine failure.
    """


def handle_errors(func: F) -> F:
    """Turn user-caused errors into one clear message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            click.echo(f"Error: {exc.render()}", err=True)
            sys.exit(EXIT_INPUT)
        except EngineError as exc:
            click.echo(f"Engine failure (not caused by your input; please report it): {exc}", err=True)
            sys.exit(EXIT_ENGINE)
        except OSError as exc:
            name = getattr(exc, "filename", None) or ""
            click.echo(f"Error: {name}: {exc.strerror or exc}. Fix: check the path and its permissions.", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper  # type: ignore[return-value]


def write_output(text: str | bytes, output: Path | None) -> None:
    """Write to stdout, or to a file atomically: a failed run never leaves a half-written file."""
    if output is None or str(output) == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            click.echo(text, nl=False)
        return
    output = Path(output)
    if output.is_dir():
        raise output_error(output, "is a folder.")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise output_error(output, "is in a folder that does not exist.")
    save_atomically(output, text)


def output_error(output: Path, what: str) -> InputError:
    from ..errors import Problem

    return InputError(
        [Problem(str(output), None, "--output", f"the output path {what}", "give a file path in an existing folder.")]
    )


existing_path = click.Path(exists=False, dir_okay=True, path_type=Path)
