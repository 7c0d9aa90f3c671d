"""PDF report: the HTML report printed to PDF by WeasyPrint (an optional extra: pip install 'vpsa[pdf]')."""

from __future__ import annotations

from typing import Any

from .errors import InputError, Problem
from .render import render_html

INSTALL_FIX = (
    "install the PDF extra with `pip install 'vpsa[pdf]'` (WeasyPrint); on Debian/Ubuntu it also needs "
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0`. Or use --format html and print that to PDF from a browser."
)


def _missing(detail: str) -> InputError:
    return InputError([Problem("--format pdf", None, "", f"PDF output is not available here ({detail}).", INSTALL_FIX)])


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report is self-contained: nothing is ever fetched, whatever a hand-edited result contains."""
    raise ValueError(f"vpsa reports do not load external resources ({url[:80]})")


def render_pdf(result: dict[str, Any]) -> bytes:
    """Same content and layout as the HTML report; deterministic (fixed identifier, no creation time)."""
    try:
        import weasyprint
    except ImportError as exc:
        raise _missing("the WeasyPrint package is not installed") from exc
    except OSError as exc:  # WeasyPrint imports fine but cannot load Pango/GObject
        raise _missing(f"WeasyPrint cannot load its system libraries: {exc}") from exc
    html = render_html(result)
    a = result["assessment"]
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).render()
    document.metadata.title = f"Security and human rights assessment: {a['organisation']} — {a['site']}"
    document.metadata.created = None
    document.metadata.modified = None
    identifier = (result["assessment"].get("sha256") or "vpsa")[:32].encode("ascii", "replace")
    return document.write_pdf(pdf_identifier=identifier)
