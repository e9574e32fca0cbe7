"""What a template must satisfy before it goes to WhatsApp for approval, one named rule at a time.

A template is the body 360Dialog takes on ``POST /v1/configs/templates`` (seed point 12)::

    {"name", "category", "language", "parameter_format"?, "components": [
        {"type": "HEADER" | "BODY" | "FOOTER" | "BUTTONS", "format", "text", "example",
         "buttons": [{"type", "text", "url", "phone_number", "example"}]}]}

``validate_template`` runs every function of ``RULES`` over it and returns the ``Violation`` list
(empty when the template may be submitted). Each rule is a small ``check_*`` function with a stable
``rule`` id, so a page can point at the ``field`` it concerns and say in the user's language what
is wrong (``Violation.message``).

Two sets of limits exist because the seed's help page is stricter than Meta (``Limits``):
``SEED_LIMITS`` (3 quick replies, one URL and one phone button, TEXT/IMAGE/DOCUMENT/VIDEO headers)
and ``META_LIMITS`` (10 quick replies, 2 URL buttons, LOCATION headers). An admin chooses.

Templates read back from a listing were approved already, but listings leave out what only the
submission needed: 360Dialog's listings of older templates carry no ``example`` at all and keep
pre-2023 categories such as ``SHIPPING_UPDATE``. ``for_listing=True`` skips those
submission-only rules (``SUBMISSION_ONLY``) so an approved template is never reported as broken.

Also here, because the sender and the preview need the same reading of a template:
``variables_of``, ``template_variables`` and ``render_preview``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.i18n import t
from core.phones import InvalidPhoneNumber, to_e164

if TYPE_CHECKING:  # pragma: no cover - typing only; template_messages imports this module
    from core.templates.messages import TemplateValues

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "LEGACY_CATEGORIES",
    "META_LIMITS",
    "RULES",
    "SEED_LIMITS",
    "SUBMISSION_ONLY",
    "Draft",
    "Limits",
    "Preview",
    "PreviewButton",
    "TemplateVariables",
    "Violation",
    "fill",
    "is_named",
    "render_preview",
    "template_variables",
    "validate_template",
    "variables_of",
]

# --- vocabulary ---------------------------------------------------------------------------------

CATEGORIES: tuple[str, ...] = ("MARKETING", "UTILITY", "AUTHENTICATION")
"""Categories a new template may be submitted with (360Dialog's "Allowed values")."""

LEGACY_CATEGORIES: tuple[str, ...] = (
    "ACCOUNT_UPDATE",
    "PAYMENT_UPDATE",
    "PERSONAL_FINANCE_UPDATE",
    "SHIPPING_UPDATE",
    "RESERVATION_UPDATE",
    "ISSUE_RESOLUTION",
    "APPOINTMENT_UPDATE",
    "TRANSPORTATION_UPDATE",
    "TICKET_UPDATE",
    "ALERT_UPDATE",
    "AUTO_REPLY",
    "TRANSACTIONAL",
    "OTP",
)
"""Pre-2023 categories still found in listings; never accepted for a new submission."""

LANGUAGES: dict[str, str] = {
    "af": "Afrikaans",
    "sq": "Albanian",
    "ar": "Arabic",
    "az": "Azerbaijani",
    "bn": "Bengali",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "zh_CN": "Chinese (China)",
    "zh_HK": "Chinese (Hong Kong)",
    "zh_TW": "Chinese (Taiwan)",
    "hr": "Croatian",
    "cs": "Czech",
    "da": "Danish",
    "nl": "Dutch",
    "en": "English",
    "en_GB": "English (UK)",
    "en_US": "English (US)",
    "et": "Estonian",
    "fil": "Filipino",
    "fi": "Finnish",
    "fr": "French",
    "ka": "Georgian",
    "de": "German",
    "el": "Greek",
    "gu": "Gujarati",
    "ha": "Hausa",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "ga": "Irish",
    "it": "Italian",
    "ja": "Japanese",
    "kn": "Kannada",
    "kk": "Kazakh",
    "rw_RW": "Kinyarwanda",
    "ko": "Korean",
    "ky_KG": "Kyrgyz (Kyrgyzstan)",
    "lo": "Lao",
    "lv": "Latvian",
    "lt": "Lithuanian",
    "mk": "Macedonian",
    "ms": "Malay",
    "ml": "Malayalam",
    "mr": "Marathi",
    "nb": "Norwegian",
    "fa": "Persian",
    "pl": "Polish",
    "pt_BR": "Portuguese (Brazil)",
    "pt_PT": "Portuguese (Portugal)",
    "pa": "Punjabi",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "es": "Spanish",
    "es_AR": "Spanish (Argentina)",
    "es_ES": "Spanish (Spain)",
    "es_MX": "Spanish (Mexico)",
    "sw": "Swahili",
    "sv": "Swedish",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "zu": "Zulu",
}
"""WhatsApp's template language codes → a name to show in a picker."""

COMPONENT_KINDS = ("HEADER", "BODY", "FOOTER", "BUTTONS")
MEDIA_FORMATS = frozenset({"IMAGE", "DOCUMENT", "VIDEO", "GIF"})
BUTTONS_NEEDING_TEXT = frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER"})

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
"""A placeholder: ``{{1}}`` (positional) or ``{{first_name}}`` (named)."""
ADJACENT_VARIABLES = re.compile(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}\s*\{\{")
NAME = re.compile(r"^[a-z0-9_]+$")
NAMED_VARIABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Limits:
    """How much a template may hold. ``SEED_LIMITS`` is the seed's stricter reading of Meta's."""

    name: str
    quick_replies: int
    url_buttons: int
    phone_buttons: int
    header_formats: frozenset[str]
    button_types: frozenset[str]
    copy_code_buttons: int = 1
    buttons: int = 10
    name_length: int = 512
    body_length: int = 1024
    header_text_length: int = 60
    footer_length: int = 60
    button_text_length: int = 25
    header_variables: int = 1


SEED_LIMITS = Limits(
    name="seed",
    quick_replies=3,
    url_buttons=1,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO"}),
    button_types=frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"}),
)
META_LIMITS = Limits(
    name="meta",
    quick_replies=10,
    url_buttons=2,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO", "LOCATION", "GIF"}),
    button_types=frozenset(
        {
            "QUICK_REPLY",
            "URL",
            "PHONE_NUMBER",
            "COPY_CODE",
            "OTP",
            "FLOW",
            "MPM",
            "CATALOG",
            "SPM",
            "VOICE_CALL",
            "APP",
        }
    ),
)


PLACEHOLDER_EXAMPLES = {
    "v1": "{{1}}",
    "v2": "{{2}}",
    "v_named": "{{first_name}}",
    "v_named_es": "{{nombre}}",
}
"""Placeholders a message may show as examples; passed as values so catalogs need no escaping."""
TRANSLATED_VALUES = {
    "part": "templates.part.",
    "media": "templates.media.",
    "given": "templates.media.",
}
"""Values of a violation that are words to translate (``part="body"`` → "Cuerpo"), not data."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a stable id, ``field`` a path a form can point at."""

    rule: str
    field: str
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def message(self, language: str | None = None) -> str:
        """The rule and the field in the user's words (``templates.rule.<rule>``)."""
        values = {
            key: t(f"{TRANSLATED_VALUES[key]}{value}", language)
            if key in TRANSLATED_VALUES
            else value
            for key, value in self.values.items()
        }
        return t(f"templates.rule.{self.rule}", language, **PLACEHOLDER_EXAMPLES, **values)


# --- reading a template -------------------------------------------------------------------------


def variables_of(text: str | None) -> list[str]:
    """Distinct placeholders of a text (``"1"``, ``"first_name"``), in order of first appearance."""
    return list(dict.fromkeys(VARIABLE.findall(text or "")))


def _kind(component: Mapping[str, Any]) -> str:
    return str(component.get("type") or "").upper()


def _components(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = template.get("components")
    return [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else []


def _first(template: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    return next((c for c in _components(template) if _kind(c) == kind), None)


def _buttons(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    component = _first(template, "BUTTONS")
    raw = component.get("buttons") if component else None
    return [b for b in raw if isinstance(b, Mapping)] if isinstance(raw, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _header_format(header: Mapping[str, Any]) -> str:
    """A header's format; a header with text and no format is a text header."""
    declared = str(header.get("format") or "").upper()
    return declared or ("TEXT" if header.get("text") else "")


def is_named(template: Mapping[str, Any]) -> bool:
    """Whether variables are ``{{names}}``: declared ``NAMED``, or (listings that leave out
    ``parameter_format``) every variable of the header and body is a name. Mixed variables read
    as positional, Meta's default, so the named ones are reported."""
    declared = str(template.get("parameter_format") or "").upper()
    if declared:
        return declared == "NAMED"
    texts = [_text(c.get("text")) for c in _components(template) if _kind(c) in ("HEADER", "BODY")]
    names = [name for text in texts for name in variables_of(text)]
    return bool(names) and not any(name.isdigit() for name in names)


@dataclass(frozen=True)
class TemplateVariables:
    """The placeholders a template has, per component; ``buttons`` maps a button's index (its
    position among the template's buttons, as a send names it) to the variables of its URL."""

    header: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    buttons: dict[int, list[str]] = field(default_factory=dict)


def _ordered(names: list[str]) -> list[str]:
    """Positional variables in numeric order (the order a send gives their values)."""
    if names and all(name.isdigit() for name in names):
        return sorted(names, key=int)
    return names


def template_variables(template: Mapping[str, Any]) -> TemplateVariables:
    """Which values a send of ``template`` needs: header, body and URL-button variables."""
    header = _first(template, "HEADER")
    body = _first(template, "BODY")
    header_names = (
        variables_of(_text(header.get("text")))
        if header and _header_format(header) == "TEXT"
        else []
    )
    buttons = {
        index: variables_of(_text(button.get("url")))
        for index, button in enumerate(_buttons(template))
        if _kind(button) == "URL" and variables_of(_text(button.get("url")))
    }
    return TemplateVariables(
        header=_ordered(header_names),
        body=_ordered(variables_of(_text(body.get("text"))) if body else []),
        buttons=buttons,
    )


# --- the rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A template as the rules read it: component types normalised to upper case."""

    template: Mapping[str, Any]
    limits: Limits = SEED_LIMITS
    for_listing: bool = False

    @property
    def components(self) -> list[Mapping[str, Any]]:
        return _components(self.template)

    def first(self, kind: str) -> Mapping[str, Any] | None:
        return _first(self.template, kind)

    @property
    def buttons(self) -> list[Mapping[str, Any]]:
        return _buttons(self.template)

    @property
    def category(self) -> str:
        return str(self.template.get("category") or "").upper()

    @property
    def named(self) -> bool:
        return is_named(self.template)

    def text_parts(self) -> list[tuple[str, str]]:
        """(part, text) of the header (text headers only) and the body: where variables live."""
        parts = []
        header = self.first("HEADER")
        if header and _header_format(header) == "TEXT":
            parts.append(("header", _text(header.get("text"))))
        body = self.first("BODY")
        if body:
            parts.append(("body", _text(body.get("text"))))
        return parts


Rule = Callable[[Draft], list[Violation]]


def _field(part: str, leaf: str) -> str:
    return f"components.{part.upper()}.{leaf}"


def _button_field(index: int, leaf: str) -> str:
    return f"components.BUTTONS.buttons[{index}].{leaf}"


def _button_values(index: int, button: Mapping[str, Any], **extra: object) -> dict[str, Any]:
    return {"button": index + 1, "label": _text(button.get("text")), **extra}


def check_name_format(draft: Draft) -> list[Violation]:
    """Seed point 9: lowercase letters, digits and underscores only."""
    name = draft.template.get("name")
    if isinstance(name, str) and NAME.match(name):
        return []
    return [Violation("name_format", "name", {"name": name if isinstance(name, str) else ""})]


def check_name_length(draft: Draft) -> list[Violation]:
    name = _text(draft.template.get("name"))
    if len(name) <= draft.limits.name_length:
        return []
    return [
        Violation("name_length", "name", {"limit": draft.limits.name_length, "length": len(name)})
    ]


def check_category(draft: Draft) -> list[Violation]:
    """One of today's categories; an unknown one is never valid."""
    if draft.category in CATEGORIES or draft.category in LEGACY_CATEGORIES:
        return []
    return [Violation("category_invalid", "category", {"category": draft.category})]


def check_category_current(draft: Draft) -> list[Violation]:
    """Pre-2023 categories are only read back from listings, never submitted."""
    if draft.category not in LEGACY_CATEGORIES:
        return []
    return [Violation("category_legacy", "category", {"category": draft.category})]


def check_language(draft: Draft) -> list[Violation]:
    language = draft.template.get("language")
    if isinstance(language, str) and language in LANGUAGES:
        return []
    return [Violation("language_unknown", "language", {"code": str(language or "")})]


def check_component_types(draft: Draft) -> list[Violation]:
    """Only HEADER, BODY, FOOTER and BUTTONS, each at most once."""
    found: list[Violation] = []
    seen: set[str] = set()
    for position, component in enumerate(draft.components):
        kind = _kind(component)
        if kind not in COMPONENT_KINDS:
            found.append(
                Violation("component_unknown", f"components[{position}].type", {"kind": kind})
            )
        elif kind in seen:
            found.append(
                Violation("component_duplicate", f"components.{kind}", {"part": kind.lower()})
            )
        seen.add(kind)
    return found


def check_body_required(draft: Draft) -> list[Violation]:
    """Seed point 11: the BODY is required."""
    return [] if draft.first("BODY") else [Violation("body_required", "components", {})]


def check_body_text(draft: Draft) -> list[Violation]:
    """A body needs text, except an authentication template's, whose text Meta writes."""
    body = draft.first("BODY")
    if body is None or _text(body.get("text")).strip() or draft.category == "AUTHENTICATION":
        return []
    return [Violation("body_empty", _field("body", "text"), {})]


def check_body_length(draft: Draft) -> list[Violation]:
    body = draft.first("BODY")
    text = _text(body.get("text")) if body else ""
    if len(text) <= draft.limits.body_length:
        return []
    return [
        Violation(
            "body_length",
            _field("body", "text"),
            {"limit": draft.limits.body_length, "length": len(text)},
        )
    ]


def check_header_format(draft: Draft) -> list[Violation]:
    """Seed point 11: text, image, document or video (LOCATION only under Meta's limits)."""
    header = draft.first("HEADER")
    if header is None:
        return []
    header_format = _header_format(header)
    if header_format in draft.limits.header_formats:
        return []
    allowed = ", ".join(sorted(draft.limits.header_formats))
    return [
        Violation(
            "header_format",
            _field("header", "format"),
            {"format": header_format, "allowed": allowed},
        )
    ]


def check_header_text(draft: Draft) -> list[Violation]:
    header = draft.first("HEADER")
    if header is None or _header_format(header) != "TEXT":
        return []
    text = _text(header.get("text"))
    if not text.strip():
        return [Violation("header_empty", _field("header", "text"), {})]
    if len(text) > draft.limits.header_text_length:
        return [
            Violation(
                "header_length",
                _field("header", "text"),
                {"limit": draft.limits.header_text_length, "length": len(text)},
            )
        ]
    return []


def check_header_variables(draft: Draft) -> list[Violation]:
    """A text header holds at most one variable."""
    header = draft.first("HEADER")
    if header is None or _header_format(header) != "TEXT":
        return []
    count = len(variables_of(_text(header.get("text"))))
    if count <= draft.limits.header_variables:
        return []
    return [
        Violation(
            "header_variables",
            _field("header", "text"),
            {"limit": draft.limits.header_variables, "count": count},
        )
    ]


def check_header_media_example(draft: Draft) -> list[Violation]:
    """Meta reviews a media header from a sample file (``example.header_handle``)."""
    header = draft.first("HEADER")
    if header is None or _header_format(header) not in MEDIA_FORMATS:
        return []
    example = header.get("example")
    handles = example.get("header_handle") if isinstance(example, Mapping) else None
    if isinstance(handles, list) and any(isinstance(h, str) and h.strip() for h in handles):
        return []
    return [
        Violation(
            "header_media_example",
            _field("header", "example"),
            {"format": _header_format(header)},
        )
    ]


def check_footer_length(draft: Draft) -> list[Violation]:
    footer = draft.first("FOOTER")
    text = _text(footer.get("text")) if footer else ""
    if len(text) <= draft.limits.footer_length:
        return []
    return [
        Violation(
            "footer_length",
            _field("footer", "text"),
            {"limit": draft.limits.footer_length, "length": len(text)},
        )
    ]


def check_footer_variables(draft: Draft) -> list[Violation]:
    footer = draft.first("FOOTER")
    if footer is None or not variables_of(_text(footer.get("text"))):
        return []
    return [Violation("footer_variables", _field("footer", "text"), {})]


def check_variable_format(draft: Draft) -> list[Violation]:
    """``{{1}}`` in a positional template, ``{{lowercase_name}}`` in a NAMED one."""
    found = []
    for part, text in draft.text_parts():
        for name in variables_of(text):
            fits = NAMED_VARIABLE.match(name) if draft.named else name.isdigit()
            if not fits:
                found.append(
                    Violation(
                        "variable_format",
                        _field(part, "text"),
                        {"part": part, "variable": "{{" + name + "}}"},
                    )
                )
    return found


def check_variables_sequential(draft: Draft) -> list[Violation]:
    """Seed point 10: ``{{1}}``, ``{{2}}``… in order, from 1, without gaps or repeats."""
    if draft.named:
        return []
    found = []
    for part, text in draft.text_parts():
        numbers = [name for name in VARIABLE.findall(text) if name.isdigit()]
        expected = [str(n) for n in range(1, len(numbers) + 1)]
        if numbers != expected:
            found.append(
                Violation(
                    "variables_sequential",
                    _field(part, "text"),
                    {
                        "part": part,
                        "found": ", ".join("{{" + n + "}}" for n in numbers),
                        "expected": ", ".join("{{" + n + "}}" for n in expected),
                    },
                )
            )
    return found


def check_variables_adjacent(draft: Draft) -> list[Violation]:
    """Meta rejects ``{{1}}{{2}}`` with nothing but spaces between (``INVALID_FORMAT``)."""
    return [
        Violation("variables_adjacent", _field(part, "text"), {"part": part})
        for part, text in draft.text_parts()
        if ADJACENT_VARIABLES.search(text)
    ]


def _example_count(component: Mapping[str, Any], part: str, named: bool) -> int | set[str]:
    """How many samples (positional) or which sample names (named) a component provides."""
    example = component.get("example")
    if not isinstance(example, Mapping):
        return set() if named else 0
    if named:
        entries = example.get(f"{part}_text_named_params")
        if not isinstance(entries, list):
            return set()
        return {
            str(entry.get("param_name"))
            for entry in entries
            if isinstance(entry, Mapping) and str(entry.get("example") or "").strip()
        }
    samples = example.get(f"{part}_text")
    if part == "body":  # body_text is one row of samples: [["Mark", "FALL25"]]
        samples = samples[0] if isinstance(samples, list) and samples else []
        if not isinstance(samples, list):
            return 0
    if not isinstance(samples, list):
        return 0
    return sum(1 for sample in samples if str(sample).strip())


def check_variable_examples(draft: Draft) -> list[Violation]:
    """Every variable needs a sample value for Meta's review (``example``)."""
    found = []
    named = draft.named
    for part, text in draft.text_parts():
        names = variables_of(text)
        if not names:
            continue
        component = draft.first(part.upper())
        assert component is not None
        provided = _example_count(component, part, named)
        missing = (
            [n for n in names if n not in provided]
            if isinstance(provided, set)
            else names[provided:]
        )
        if missing:
            found.append(
                Violation(
                    "variable_examples",
                    _field(part, "example"),
                    {"part": part, "variables": ", ".join("{{" + n + "}}" for n in missing)},
                )
            )
    for index, button in enumerate(draft.buttons):
        if _kind(button) != "URL" or not variables_of(_text(button.get("url"))):
            continue
        example = button.get("example")
        samples = example if isinstance(example, list) else [example]
        if not any(isinstance(s, str) and s.strip() for s in samples):
            found.append(
                Violation(
                    "variable_examples",
                    _button_field(index, "example"),
                    _button_values(index, button, part="button", variables="{{1}}"),
                )
            )
    return found


def check_buttons_total(draft: Draft) -> list[Violation]:
    count = len(draft.buttons)
    if count <= draft.limits.buttons:
        return []
    return [
        Violation(
            "buttons_total",
            "components.BUTTONS.buttons",
            {"limit": draft.limits.buttons, "count": count},
        )
    ]


def _count_rule(draft: Draft, rule: str, kinds: Iterable[str], limit: int) -> list[Violation]:
    count = sum(1 for button in draft.buttons if _kind(button) in set(kinds))
    if count <= limit:
        return []
    return [Violation(rule, "components.BUTTONS.buttons", {"limit": limit, "count": count})]


def check_quick_reply_count(draft: Draft) -> list[Violation]:
    """Seed point 11: at most 3 quick replies (Meta: 10)."""
    return _count_rule(draft, "quick_reply_count", ["QUICK_REPLY"], draft.limits.quick_replies)


def check_url_button_count(draft: Draft) -> list[Violation]:
    """Seed point 11: at most one URL button (Meta: 2)."""
    return _count_rule(draft, "url_button_count", ["URL"], draft.limits.url_buttons)


def check_phone_button_count(draft: Draft) -> list[Violation]:
    """Seed point 11: at most one phone-number button."""
    return _count_rule(draft, "phone_button_count", ["PHONE_NUMBER"], draft.limits.phone_buttons)


def check_copy_code_count(draft: Draft) -> list[Violation]:
    return _count_rule(draft, "copy_code_count", ["COPY_CODE"], draft.limits.copy_code_buttons)


def check_buttons_grouped(draft: Draft) -> list[Violation]:
    """Quick replies all before or all after the other buttons, never mixed (Meta refuses)."""
    kinds = [_kind(button) == "QUICK_REPLY" for button in draft.buttons]
    switches = sum(1 for before, after in zip(kinds, kinds[1:], strict=False) if before != after)
    if switches <= 1:
        return []
    return [Violation("buttons_interleaved", "components.BUTTONS.buttons", {})]


def check_button_types(draft: Draft) -> list[Violation]:
    return [
        Violation(
            "button_type_unknown",
            _button_field(index, "type"),
            _button_values(index, button, kind=_kind(button)),
        )
        for index, button in enumerate(draft.buttons)
        if _kind(button) not in draft.limits.button_types
    ]


def check_button_text(draft: Draft) -> list[Violation]:
    """Quick replies and call-to-action buttons need a label of at most 25 characters."""
    found = []
    limit = draft.limits.button_text_length
    for index, button in enumerate(draft.buttons):
        text = _text(button.get("text"))
        if not text.strip() and _kind(button) in BUTTONS_NEEDING_TEXT:
            found.append(
                Violation("button_text_empty", _button_field(index, "text"), {"button": index + 1})
            )
        elif len(text) > limit:
            found.append(
                Violation(
                    "button_text_length",
                    _button_field(index, "text"),
                    _button_values(index, button, limit=limit, length=len(text)),
                )
            )
    return found


def check_button_phone_numbers(draft: Draft) -> list[Violation]:
    found = []
    for index, button in enumerate(draft.buttons):
        if _kind(button) != "PHONE_NUMBER":
            continue
        number = str(button.get("phone_number") or "")
        try:
            to_e164(number)
        except InvalidPhoneNumber:
            found.append(
                Violation(
                    "button_phone_number",
                    _button_field(index, "phone_number"),
                    _button_values(index, button, number=number),
                )
            )
    return found


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def check_button_urls(draft: Draft) -> list[Violation]:
    """An http(s) address; a variable only as its very end (``https://shop.example/o/{{1}}``)."""
    found = []
    for index, button in enumerate(draft.buttons):
        if _kind(button) != "URL":
            continue
        url = _text(button.get("url")).strip()
        matches = list(VARIABLE.finditer(url))
        fixed = url[: matches[-1].start()] if matches else url
        if len(matches) > 1 or (matches and matches[-1].end() != len(url)):
            found.append(
                Violation(
                    "button_url_variable",
                    _button_field(index, "url"),
                    _button_values(index, button, url=url),
                )
            )
        elif not _is_web_address(fixed + ("x" if matches else "")):
            found.append(
                Violation(
                    "button_url",
                    _button_field(index, "url"),
                    _button_values(index, button, url=url),
                )
            )
    return found


RULES: tuple[Rule, ...] = (
    check_name_format,
    check_name_length,
    check_category,
    check_category_current,
    check_language,
    check_component_types,
    check_body_required,
    check_body_text,
    check_body_length,
    check_header_format,
    check_header_text,
    check_header_variables,
    check_header_media_example,
    check_footer_length,
    check_footer_variables,
    check_variable_format,
    check_variables_sequential,
    check_variables_adjacent,
    check_variable_examples,
    check_buttons_total,
    check_quick_reply_count,
    check_url_button_count,
    check_phone_button_count,
    check_copy_code_count,
    check_buttons_grouped,
    check_button_types,
    check_button_text,
    check_button_phone_numbers,
    check_button_urls,
)
"""Every rule, in the order a form shows its fields."""

SUBMISSION_ONLY: frozenset[Rule] = frozenset(
    {check_category_current, check_variable_examples, check_header_media_example}
)
"""Rules about what only a submission carries: listings of approved templates often leave out
``example`` (360Dialog's listings of older templates have none) and keep legacy categories."""


def validate_template(
    body: Mapping[str, Any], limits: Limits = SEED_LIMITS, *, for_listing: bool = False
) -> list[Violation]:
    """Every rule ``body`` breaks (empty: it may be submitted).

    ``for_listing`` reads a template 360Dialog listed (already reviewed): the rules of
    ``SUBMISSION_ONLY`` are skipped.
    """
    if not isinstance(body, Mapping):
        return [Violation("body_required", "components", {})]
    draft = Draft(body, limits, for_listing)
    rules = [rule for rule in RULES if not (for_listing and rule in SUBMISSION_ONLY)]
    return [violation for rule in rules for violation in rule(draft)]


# --- preview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewButton:
    """A button as the bubble shows it; ``target`` is the filled URL or the phone number."""

    kind: str
    text: str
    target: str | None = None


@dataclass(frozen=True)
class Preview:
    """What the WhatsApp bubble shows. ``header`` is the text of a text header; a media or
    location header has ``header_format`` and no text."""

    header: str | None
    body: str
    footer: str | None
    buttons: tuple[PreviewButton, ...] = ()
    header_format: str | None = None


def examples_of(component: Mapping[str, Any], part: str) -> dict[str, str]:
    """Sample values of a header or body by variable name (``"1"`` or ``"first_name"``)."""
    example = component.get("example")
    if not isinstance(example, Mapping):
        return {}
    named = example.get(f"{part}_text_named_params")
    if isinstance(named, list):
        return {
            str(entry.get("param_name")): str(entry.get("example"))
            for entry in named
            if isinstance(entry, Mapping)
        }
    samples = example.get(f"{part}_text")
    if part == "body" and isinstance(samples, list) and samples and isinstance(samples[0], list):
        samples = samples[0]
    if not isinstance(samples, list):
        return {}
    return {str(position): str(sample) for position, sample in enumerate(samples, start=1)}


def _given(values: Sequence[Any] | Mapping[str, Any] | None, names: list[str]) -> dict[str, str]:
    """Filled values by variable name, from a list (in variable order) or a mapping."""
    if not values:
        return {}
    if isinstance(values, Mapping):
        pairs = {str(k): v for k, v in values.items()}
    else:
        pairs = dict(zip(names, values, strict=False))
    return {name: _shown(value) for name, value in pairs.items() if _shown(value).strip()}


def _shown(value: object) -> str:
    """How a value reads in text: currencies and dates by their ``fallback_value``."""
    if isinstance(value, str):
        return value
    fallback = getattr(value, "fallback_value", None)
    return str(fallback) if fallback is not None else str(value or "")


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{{name}}`` replaced by its value; unknown ones stay as written."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render_preview(
    components: Sequence[Mapping[str, Any]], values: TemplateValues | None = None
) -> Preview:
    """The template as the customer will see it: filled values, else the samples of ``example``,
    else the placeholder itself."""
    template = {"components": list(components)}
    names = template_variables(template)
    header = _first(template, "HEADER")
    body = _first(template, "BODY")
    footer = _first(template, "FOOTER")

    header_text = None
    header_format = _header_format(header) if header else None
    if header and header_format == "TEXT":
        filled = {
            **examples_of(header, "header"),
            **_given(getattr(values, "header", None), names.header),
        }
        header_text = fill(_text(header.get("text")), filled)
    body_values = {
        **(examples_of(body, "body") if body else {}),
        **_given(getattr(values, "body", None), names.body),
    }
    button_values = getattr(values, "buttons", None) or {}
    buttons = []
    for index, button in enumerate(_buttons(template)):
        kind = _kind(button)
        target = None
        if kind == "URL":
            target = _preview_url(button, button_values.get(index))
        elif kind == "PHONE_NUMBER":
            target = str(button.get("phone_number") or "")
        buttons.append(PreviewButton(kind, _text(button.get("text")), target))
    return Preview(
        header=header_text,
        body=fill(_text(body.get("text")), body_values) if body else "",
        footer=(_text(footer.get("text")) or None) if footer else None,
        buttons=tuple(buttons),
        header_format=header_format,
    )


def _preview_url(button: Mapping[str, Any], value: object) -> str:
    url = _text(button.get("url"))
    if not variables_of(url):
        return url
    if isinstance(value, str) and value.strip():
        return VARIABLE.sub(lambda _: value, url, count=1)
    example = button.get("example")
    sample = example[0] if isinstance(example, list) and example else example
    if isinstance(sample, str) and sample.strip():
        # Meta's samples are either the whole address or just the part that replaces {{1}}.
        return sample if _is_web_address(sample) else VARIABLE.sub(lambda _: sample, url, count=1)
    return url
