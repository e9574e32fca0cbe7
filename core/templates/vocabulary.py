"""The categories, languages and one-time-password kinds a template may declare, kept apart from the
rules because the pages offer them in pickers and the status table names them.

Meta's lists: categories at
https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/ and
language codes at
https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/supported-languages
"""

from __future__ import annotations

__all__ = ["CATEGORIES", "LANGUAGES", "LEGACY_CATEGORIES", "OTP_TYPES"]

CATEGORIES: tuple[str, ...] = ("MARKETING", "UTILITY", "AUTHENTICATION")
"""Categories a new template may be submitted with (360Dialog's "Allowed values")."""

OTP_TYPES: tuple[str, ...] = ("COPY_CODE", "ONE_TAP", "ZERO_TAP")
"""How an authentication template hands its code over: a button that copies it, a button that fills
it into the app, or the app receiving it with no tap (Android only):
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/authentication-templates
"""

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
