"""Log in, switch language, log out: in Debian's chromium against the real server process."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_spanish_browser_logs_in_switches_to_english_and_logs_out(
    live_server, browser_page
) -> None:
    live_server.cli(
        "users",
        "add",
        "--username",
        "lucia",
        "--role",
        "agent",
        "--name",
        "Lucía",
        "--password-stdin",
        stdin="clave-muy-segura\n",
    )
    page = browser_page(locale="es-ES")
    page.goto(live_server.url)

    expect(page.get_by_text("Iniciar sesión").first).to_be_visible()
    page.get_by_label("Usuario").fill("lucia")
    page.get_by_label("Contraseña").fill("contraseña-equivocada")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_text("Usuario o contraseña incorrectos.")).to_be_visible()

    page.get_by_label("Usuario").fill("lucia")
    page.get_by_label("Contraseña").fill("clave-muy-segura")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Hola, Lucía")).to_be_visible()

    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="English").click()
    expect(page.get_by_role("heading", name="Welcome, Lucía")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    # logging out reloads the page (the server clears the cookie): a new tab's language again
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, Lucía")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
