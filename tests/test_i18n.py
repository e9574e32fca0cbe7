from core import i18n


def test_every_key_exists_in_every_language() -> None:
    assert i18n.missing_keys() == {}


def test_translation_fills_values_and_follows_language() -> None:
    assert i18n.t("pager.page", "es", page=3) == "Página 3"
    assert i18n.t("pager.page", "en", page=3) == "Page 3"


def test_unknown_key_is_shown_not_raised() -> None:
    assert i18n.t("no.such.key", "en") == "no.such.key"


def test_spanish_when_the_browser_prefers_it() -> None:
    assert i18n.preferred_language("es-AR,es;q=0.9,en;q=0.8", "en") == "es"
    assert i18n.preferred_language("en-US,en;q=0.9,es;q=0.5", "es") == "en"
    assert i18n.preferred_language("fr-FR,de;q=0.9", "es") == "es"
    assert i18n.preferred_language("fr;q=0.9,en;q=0.3,es;q=0.8", "en") == "es"
    assert i18n.preferred_language(None, "en") == "en"
