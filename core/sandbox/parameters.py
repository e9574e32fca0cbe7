"""132012: a template message whose parameters are not in the form the template was made with.

Meta: "Template Parameter Format Mismatch. Variable parameter values formatted incorrectly. The
variable parameter values included in the request are not using the format specified in the
template" (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/). Two
ways to get there, both refused synchronously:

* a media header filled with something else than its format (text where the template has an
  IMAGE header, a video where it has a DOCUMENT one…);
* named parameters (``parameter_name``) for a template made with ``parameter_format:
  POSITIONAL``, or positional ones for a ``NAMED`` template
  (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates).
"""

from __future__ import annotations

from typing import Any

from core.sandbox.errors import ApiError
from core.sandbox.state import Template

MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION")


def check_parameter_formats(template: Template, components: list[dict[str, Any]]) -> None:
    """Raise 132012 when a parameter's form does not match the template's."""
    header_format = _header_format(template)
    named = template.parameter_format == "NAMED"
    for component in components:
        kind = str(component.get("type", "")).lower()
        parameters = [p for p in component.get("parameters") or [] if isinstance(p, dict)]
        if kind == "header" and header_format in MEDIA_FORMATS:
            for parameter in parameters:
                given = str(parameter.get("type", "")).upper()
                if given != header_format:
                    raise ApiError(
                        132012,
                        f"header: Format mismatch, expected {header_format}, received {given}",
                    )
        if kind in ("header", "body") and not (kind == "header" and header_format != "TEXT"):
            for parameter in parameters:
                if ("parameter_name" in parameter) != named:
                    expected = "named" if named else "positional"
                    raise ApiError(
                        132012,
                        f"{kind}: the template takes {expected} parameters "
                        f"(parameter_format {template.parameter_format})",
                    )


def _header_format(template: Template) -> str | None:
    for component in template.components:
        if str(component.get("type", "")).upper() == "HEADER":
            return str(component.get("format", "TEXT")).upper()
    return None
