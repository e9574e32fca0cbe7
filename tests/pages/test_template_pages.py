"""The three template pages: builder, status table, workspace; against a real sandbox over HTTP
where 360Dialog is involved, on rows written through ``core.templates.library`` where it is not."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.channels.registry import client_for
from core.db import session_scope
from core.models import Channel, RemoteTemplate, Role, WorkspaceTemplate
from core.templates.library import record_status
from core.templates.submission import active_limits, save_draft
from core.webhooks import processor
from tests.pages.conftest import texts
from tests.store_helpers import make_channel
from tests.testdata import load
from tests.waiting import wait_until

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
HANDLE = re.compile(r"^4:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[\w-]+:e:\d+:\d+:\d+:[\w-]+$")
"""A Resumable Upload handle, shaped as Meta's: never a media id."""
BUILDER = "pages/template_builder.py"
STATUS = "pages/template_status.py"
WORKSPACE = "pages/workspace_templates.py"


# Reviews take long enough to see PENDING.
pytestmark = pytest.mark.sandbox(review_delay=60)


@pytest.fixture
def channel_id(engine: Engine) -> int:
    """A channel that never talks to 360Dialog (for pages reading the store only)."""
    return make_channel(engine).id


def stored_template(
    engine: Engine,
    channel_id: int,
    name: str,
    statuses: list[tuple[str, str | None]],
    body: str = "Hola {{1}}, tenemos ofertas.",
    category: str = "MARKETING",
) -> int:
    """A template as sync would leave it, its statuses recorded in order (its history)."""
    with session_scope(engine) as session:
        template = RemoteTemplate(
            channel_id=channel_id,
            name=name,
            language="es",
            category=category,
            remote_id=f"id-{name}",
            components=[{"type": "BODY", "text": body, "example": {"body_text": [["Ana"]]}}],
        )
        session.add(template)
        session.flush()
        for status, reason in statuses:
            record_status(session, template, status, reason)
        return template.id


def load_approved(name: str) -> dict:
    """One of Meta's examples (``testdata/template_rules/approved``, sources in its README)."""
    return load(f"template_rules/approved/{name}.json")


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [element.value for element in at.error]


def fill_valid_template(at: AppTest, name: str) -> None:
    """A media template with every block the builder offers, examples included."""
    at.text_input(key="tb_name").input(name)
    at.selectbox(key="tb_category").set_value("UTILITY")
    at.radio(key="tb_type").set_value("media")
    at.run()
    at.radio(key="tb_header_format").set_value("TEXT")
    at.run()
    at.text_input(key="tb_header_text").input("Pedido {{1}}")
    # Meta refuses a body that ends with a variable:
    # https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
    at.text_area(key="tb_body").input("Hola {{1}}, tu pedido está listo el {{2}} en tienda.")
    at.text_input(key="tb_footer").input("Tienda 1980")
    at.run()
    at.text_input(key="tb_header_ex_1").input("A-12")
    at.text_input(key="tb_body_ex_1").input("Ana")
    at.text_input(key="tb_body_ex_2").input("lunes")
    at.toggle(key="tb_url_on").set_value(True)
    press(at, "tb_qr_add")
    at.text_input(key="tb_qr_0").input("Gracias")
    at.text_input(key="tb_url_text").input("Ver pedido")
    at.text_input(key="tb_url").input("https://tienda.example.com/pedido/{{1}}")
    at.run()
    at.text_input(key="tb_url_example").input("https://tienda.example.com/pedido/A-12")
    at.run()
    assert not at.exception, at.exception


def test_builder_names_the_broken_rule_and_previews_examples(run_page, team, channel_id) -> None:
    at = run_page(BUILDER, team[Role.MARKETER])
    assert at.button(key="tb_submit").disabled
    at.text_input(key="tb_name").input("Pedido Listo")
    at.text_area(key="tb_body").input("Hola {{1}}, <b>tu</b> pedido *está listo*.")
    at.run()
    at.text_input(key="tb_body_ex_1").input("Ana")
    at.run()
    assert any(
        'Template name "Pedido Listo": use only lowercase letters' in text for text in errors(at)
    )
    assert at.button(key="tb_submit").disabled
    bubble = at.html[0].value
    assert "Hola Ana, &lt;b&gt;tu&lt;/b&gt; pedido <b>está listo</b>." in bubble

    at.text_input(key="tb_name").input("pedido_listo")
    at.run()
    assert errors(at) == []
    assert "The template follows every rule" in texts(at)
    assert not at.button(key="tb_submit").disabled


def test_a_template_typed_in_the_builder_is_submitted_and_shown_pending(
    run_page, team, live, engine
) -> None:
    control, _ = live
    at = run_page(BUILDER, team[Role.MARKETER])
    fill_valid_template(at, "pedido_listo")
    bubble = at.html[0].value
    assert (
        "Pedido A-12" in bubble and "Hola Ana, tu pedido está listo el lunes en tienda." in bubble
    )
    assert "Tienda 1980" in bubble and "Gracias" in bubble and "Ver pedido" in bubble
    assert errors(at) == []

    press(at, "tb_submit")
    assert "Template pedido_listo submitted to WhatsApp for approval" in texts(at)
    assert "in the Template status table as Pending" in texts(at)
    [remote] = control.call("GET", f"/accounts/{control.number}/templates")
    assert remote["name"] == "pedido_listo" and remote["category"] == "UTILITY"
    kinds = [component["type"] for component in remote["components"]]
    assert kinds == ["HEADER", "BODY", "FOOTER", "BUTTONS"]

    status = run_page(STATUS, team[Role.MANAGER])
    table = status.dataframe[0].value
    assert table["Name"].tolist() == ["pedido_listo"]
    assert table["Status"].tolist() == ["Pending"]


def test_a_media_header_sample_is_uploaded_for_the_review(run_page, team, live, engine) -> None:
    control, _ = live
    at = run_page(BUILDER, team[Role.ADMIN])
    at.text_input(key="tb_name").input("catalogo_otono")
    at.radio(key="tb_type").set_value("media")
    at.text_area(key="tb_body").input("Nuestro catálogo de otoño ya está aquí.")
    at.run()
    at.radio(key="tb_header_format").set_value("IMAGE")
    at.run()
    assert any("upload a sample file" in text for text in errors(at))
    at.file_uploader(key="tb_header_file").set_value(("otono.png", PNG, "image/png"))
    at.run()
    assert not at.exception, at.exception
    assert "Sample file uploaded to 360Dialog." in texts(at)
    assert errors(at) == []
    assert "🖼️&nbsp;Image" in at.html[0].value
    press(at, "tb_submit")
    assert errors(at) == []
    [remote] = control.call("GET", f"/accounts/{control.number}/templates")
    header = remote["components"][0]
    [handle] = header["example"]["header_handle"]
    assert header["format"] == "IMAGE" and HANDLE.match(handle), handle
    assert base64.b64decode(handle.split(":")[1]) == b"otono.png"


# --- Every kind the builder composes, submitted and approved by the sandbox ----------------------


def approved_remote(control, engine, name: str) -> dict:
    """The template as 360Dialog lists it once its review is over: approved there, and the status
    webhook it sent processed into our store (what the background processor does)."""
    control.idle()
    [remote] = control.call("GET", f"/accounts/{control.number}/templates")
    assert remote["name"] == name and remote["status"] == "APPROVED", remote

    def approved_here() -> bool:
        processor.process_pending(engine)
        return stored_status(engine, name) == "APPROVED"

    wait_until(approved_here, message=f"{name} approved in the store")
    return remote


def stored_status(engine: Engine, name: str) -> str | None:
    with Session(engine) as session:
        template = session.exec(select(RemoteTemplate).where(RemoteTemplate.name == name)).first()
        return template.status if template else None


def choose_kind(at: AppTest, kind: str, name: str) -> None:
    at.radio(key="tb_type").set_value(kind)
    at.run()
    at.text_input(key="tb_name").input(name)


def submitted(at: AppTest, name: str) -> None:
    assert errors(at) == [], errors(at)
    assert "The template follows every rule" in texts(at)
    press(at, "tb_submit")
    assert f"Template {name} submitted to WhatsApp for approval" in texts(at), texts(at)


@pytest.mark.sandbox(review_delay=0.2)
def test_a_coupon_code_template_is_composed_previewed_and_approved(
    run_page, team, live, engine
) -> None:
    """Coupon code templates (a marketing template with a copy-code button and its sample code):
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates"""
    control, _ = live
    at = run_page(BUILDER, team[Role.MARKETER])
    choose_kind(at, "coupon", "cupon_otono")
    assert at.selectbox(key="tb_category").value == "MARKETING"
    assert at.selectbox(key="tb_category").disabled
    at.text_area(key="tb_body").input("Usa el código {{1}} y ahorra un {{2}} en la tienda.")
    at.run()
    at.text_input(key="tb_body_ex_1").input("OTONO25")
    at.text_input(key="tb_body_ex_2").input("25%")
    press(at, "tb_qr_add")
    at.text_input(key="tb_qr_0").input("No me interesa")
    at.run()
    assert any("copy-code" in text.lower() or "coupon" in text.lower() for text in errors(at))
    at.text_input(key="tb_coupon_code").input("OTONO25")
    at.run()
    bubble = at.html[0].value
    assert "Usa el código OTONO25 y ahorra un 25% en la tienda." in bubble
    assert "Copy offer code" in bubble and "No me interesa" in bubble
    submitted(at, "cupon_otono")
    remote = approved_remote(control, engine, "cupon_otono")
    assert remote["category"] == "MARKETING"
    assert [c["type"] for c in remote["components"]] == ["BODY", "BUTTONS"]
    assert remote["components"][1]["buttons"] == [
        {"type": "QUICK_REPLY", "text": "No me interesa"},
        {"type": "COPY_CODE", "example": "OTONO25"},
    ]


@pytest.mark.sandbox(review_delay=0.2)
def test_a_limited_time_offer_is_composed_with_its_image_and_approved(
    run_page, team, live, engine
) -> None:
    """Limited-time offers: an image header, the offer's text and expiry, the body, a copy-code and
    a website button, no footer:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates"""
    control, _ = live
    at = run_page(BUILDER, team[Role.MARKETER])
    choose_kind(at, "offer", "oferta_caribe")
    assert at.radio(key="tb_header_format").options == ["None", "Image", "Video"]
    assert not [widget for widget in at.text_input if widget.key == "tb_footer"]
    at.radio(key="tb_header_format").set_value("IMAGE")
    at.text_input(key="tb_offer_text").input("¡Oferta final!")
    at.text_area(key="tb_body").input("Hola {{1}}, usa el código {{2}} y viaja por menos.")
    at.run()
    at.file_uploader(key="tb_header_file").set_value(("caribe.png", PNG, "image/png"))
    at.text_input(key="tb_body_ex_1").input("Pablo")
    at.text_input(key="tb_body_ex_2").input("CARIBE25")
    at.text_input(key="tb_coupon_code").input("CARIBE25")
    at.toggle(key="tb_url_on").set_value(True)
    at.run()
    at.text_input(key="tb_url_text").input("Reservar")
    at.text_input(key="tb_url").input("https://viajes.example.com/ofertas")
    at.run()
    bubble = at.html[0].value
    assert "¡Oferta final!" in bubble and "Code CARIBE25" in bubble
    assert "Ends at the time given when sending" in bubble and "Reservar" in bubble
    submitted(at, "oferta_caribe")
    remote = approved_remote(control, engine, "oferta_caribe")
    kinds = [component["type"] for component in remote["components"]]
    assert kinds == ["HEADER", "LIMITED_TIME_OFFER", "BODY", "BUTTONS"]
    [handle] = remote["components"][0]["example"]["header_handle"]
    assert HANDLE.match(handle) and base64.b64decode(handle.split(":")[1]) == b"caribe.png"
    assert remote["components"][1]["limited_time_offer"] == {
        "text": "¡Oferta final!",
        "has_expiration": True,
    }
    assert [b["type"] for b in remote["components"][3]["buttons"]] == ["COPY_CODE", "URL"]


@pytest.mark.sandbox(review_delay=0.2)
def test_a_media_carousel_uploads_each_cards_sample_and_is_approved(
    run_page, team, live, engine
) -> None:
    """Media card carousels: the body, then cards each with its own image (a Resumable Upload
    handle), text and the same buttons:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates"""
    control, _ = live
    at = run_page(BUILDER, team[Role.MARKETER])
    choose_kind(at, "carousel", "frutas_verano")
    at.text_area(key="tb_body").input("Llega el verano: usa el código {{1}} en tu pedido.")
    at.number_input(key="tb_card_count").set_value(3)
    at.run()
    at.text_input(key="tb_body_ex_1").input("VERANO15")
    for card, fruit in enumerate(("limones", "mangos", "higos")):
        at.file_uploader(key=f"tb_card_{card}_file").set_value((f"{fruit}.png", PNG, "image/png"))
        at.text_area(key=f"tb_card_{card}_body").input(f"{fruit.title()} de temporada.")
        at.text_input(key=f"tb_card_{card}_qr").input("Más como este")
        at.run()
    assert not at.exception, at.exception
    assert texts(at).count("Sample file uploaded to 360Dialog.") == 3
    bubble = at.html[0].value
    assert bubble.count('class="template-card"') == 3
    assert "Mangos de temporada." in bubble and "Llega el verano: usa el código VERANO15" in bubble
    submitted(at, "frutas_verano")
    remote = approved_remote(control, engine, "frutas_verano")
    assert [component["type"] for component in remote["components"]] == ["BODY", "CAROUSEL"]
    cards = remote["components"][1]["cards"]
    names = []
    for card in cards:
        header, body, buttons = card["components"]
        [handle] = header["example"]["header_handle"]
        assert header["format"] == "IMAGE" and HANDLE.match(handle), handle
        names.append(base64.b64decode(handle.split(":")[1]))
        assert buttons == {
            "type": "BUTTONS",
            "buttons": [{"type": "QUICK_REPLY", "text": "Más como este"}],
        }
        assert body["type"] == "BODY"
    assert names == [b"limones.png", b"mangos.png", b"higos.png"]


@pytest.mark.sandbox(review_delay=0.2)
def test_an_authentication_template_is_composed_from_metas_settings_and_approved(
    run_page, team, live, engine
) -> None:
    """Copy-code authentication templates: Meta writes the text; the security note, the expiry and
    the button are chosen:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates"""
    control, _ = live
    at = run_page(BUILDER, team[Role.MARKETER])
    choose_kind(at, "authentication", "codigo_acceso")
    assert at.selectbox(key="tb_category").value == "AUTHENTICATION"
    assert not at.text_area  # no body text to write
    at.toggle(key="tb_expiry_on").set_value(True)
    at.run()
    at.number_input(key="tb_expiry_minutes").set_value(15)
    at.run()
    bubble = at.html[0].value
    assert "<b>123456</b> is your verification code." in bubble
    assert "For your security, do not share this code." in bubble
    assert "This code expires in 15 minutes." in bubble and "Copy code" in bubble
    submitted(at, "codigo_acceso")
    remote = approved_remote(control, engine, "codigo_acceso")
    assert remote["category"] == "AUTHENTICATION"
    # Meta writes an authentication template's text and lists it with that preset wording.
    assert remote["components"] == [
        {
            "type": "BODY",
            "add_security_recommendation": True,
            "text": "{{1}} is your verification code. For your security, do not share this code.",
        },
        {
            "type": "FOOTER",
            "code_expiration_minutes": 15,
            "text": "This code expires in 15 minutes.",
        },
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
    ]


def test_a_carousel_draft_comes_back_with_its_cards(run_page, team, channel_id, engine) -> None:
    with session_scope(engine) as session:
        save_draft(session, team[Role.MARKETER], channel_id, load_approved("carousel_media_cards"))
    at = run_page(BUILDER, team[Role.MARKETER])
    press(at, "tb_load")
    assert at.radio(key="tb_type").value == "carousel"
    assert at.number_input(key="tb_card_count").value == 2
    assert at.text_area(key="tb_card_1_body").value.startswith("Exotic fruit for unique cocktails!")
    assert at.text_input(key="tb_card_0_url_example").value == "summer_lemons_2023"
    assert texts(at).count("Sample file uploaded to 360Dialog.") == 2
    assert errors(at) == []


def test_metas_explanation_is_shown_when_it_refuses_a_sample(run_page, team, live, engine) -> None:
    control, channel_id = live
    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
    with client_for(channel) as client:
        media_id = client.upload_media(PNG, "image/png", "otono.png")
    body = {
        "name": "catalogo_otono",
        "category": "MARKETING",
        "language": "es",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [media_id]}},
            {"type": "BODY", "text": "Nuestro catálogo de otoño ya está aquí."},
        ],
    }
    with session_scope(engine) as session:
        save_draft(session, team[Role.MARKETER], channel_id, body)
    at = run_page(BUILDER, team[Role.MARKETER])
    press(at, "tb_load")
    press(at, "tb_submit")
    assert errors(at) == [
        "360Dialog: Uploaded Media Handle Is Invalid — "
        "Check the handle provided for the uploaded media in the request."
    ]
    assert control.call("GET", f"/accounts/{control.number}/templates") == []


def test_a_draft_is_saved_and_loaded_again(run_page, team, channel_id, engine) -> None:
    at = run_page(BUILDER, team[Role.MARKETER])
    at.text_input(key="tb_name").input("borrador_otono")
    at.text_area(key="tb_body").input("Hola {{1}}, llega el otoño.")
    at.run()
    at.text_input(key="tb_body_ex_1").input("Luis")
    at.run()
    press(at, "tb_save")
    assert "Draft borrador_otono saved." in texts(at)

    again = run_page(BUILDER, team[Role.MARKETER])
    assert again.text_input(key="tb_name").value == ""
    assert again.selectbox(key="tb_draft").value is not None
    press(again, "tb_load")
    assert "Draft borrador_otono loaded" in texts(again)
    assert again.text_input(key="tb_name").value == "borrador_otono"
    assert again.text_area(key="tb_body").value == "Hola {{1}}, llega el otoño."
    assert again.text_input(key="tb_body_ex_1").value == "Luis"
    assert "Hola Luis, llega el otoño." in again.html[0].value


def test_status_page_filters_counts_hints_and_history(run_page, team, channel_id, engine) -> None:
    stored_template(engine, channel_id, "bienvenida", [("PENDING", None), ("APPROVED", "NONE")])
    rejected = stored_template(
        engine, channel_id, "rebajas", [("PENDING", None), ("REJECTED", "INVALID_FORMAT")]
    )
    stored_template(engine, channel_id, "aviso", [("PENDING", None)], category="UTILITY")

    at = run_page(STATUS, team[Role.MARKETER])
    assert "Approved: 1 · Pending: 1 · Rejected: 1" in texts(at)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    table = at.dataframe[0].value
    assert sorted(table["Name"]) == ["aviso", "bienvenida", "rebajas"]
    hints = dict(zip(table["Name"], table["How to fix it"], strict=True))
    assert hints["rebajas"].startswith("Check the variables: numbered {{1}}, {{2}}")
    assert hints["bienvenida"] == ""

    at.selectbox(key="ts_status").set_value("REJECTED")
    at.run()
    assert at.dataframe[0].value["Name"].tolist() == ["rebajas"]
    assert at.dataframe[0].value["Rejection reason"].tolist() == ["INVALID_FORMAT"]
    assert "Rejected: 1" in texts(at) and "Approved: 1" not in texts(at)
    assert at.selectbox(key="ts_selected").value == rejected
    assert any("Rejected by WhatsApp (INVALID_FORMAT)" in w.value for w in at.warning)
    history = at.dataframe[1].value
    assert history["Status"].tolist() == ["Pending", "Rejected"]
    assert history["Rejection reason"].tolist() == ["", "INVALID_FORMAT"]

    at.selectbox(key="ts_status").set_value(None)
    at.selectbox(key="ts_category").set_value("UTILITY")
    at.run()
    assert at.dataframe[0].value["Name"].tolist() == ["aviso"]
    at.selectbox(key="ts_category").set_value(None)
    at.text_input(key="ts_search").input("bien")
    at.run()
    assert at.dataframe[0].value["Name"].tolist() == ["bienvenida"]

    at.text_input(key="ts_search").input("rebajas")
    at.run()
    at.text_input(key=f"ts_clone_name_{rejected}").input("rebajas_v2")
    press(at, f"ts_clone_{rejected}")
    assert "Draft rebajas_v2 created." in texts(at)
    with Session(engine) as session:
        clone = session.exec(select(RemoteTemplate).where(RemoteTemplate.name == "rebajas_v2"))
        assert clone.one().status == "DRAFT"


def test_sync_then_delete_after_confirmation(run_page, team, live, engine) -> None:
    control, channel_id = live
    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
    with client_for(channel) as client:
        client.create_template(
            {
                "name": "promo_otono",
                "category": "MARKETING",
                "language": "es",
                "components": [{"type": "BODY", "text": "Ofertas de otoño."}],
            }
        )
    at = run_page(STATUS, team[Role.ADMIN])
    assert "No template matches." in texts(at)
    press(at, f"ts_sync_{channel_id}")
    assert at.progress[0].value == 100
    assert "1 template(s) read, 1 new" in texts(at)
    at.run()
    assert at.dataframe[0].value["Name"].tolist() == ["promo_otono"]

    delete = at.button(key=next(b.key for b in at.button if b.key.startswith("ts_delete_")))
    assert delete.disabled
    at.checkbox(key=delete.key.replace("ts_delete_", "ts_delete_sure_")).check()
    at.run()
    press(at, delete.key)
    assert "Template promo_otono deleted." in texts(at)
    assert control.call("GET", f"/accounts/{control.number}/templates") == []
    assert at.dataframe[0].value["Status"].tolist() == ["Deleted"]


def test_workspace_adds_an_approved_template_prefilled_and_refuses_others(
    run_page, team, channel_id, engine
) -> None:
    approved = stored_template(
        engine, channel_id, "bienvenida", [("APPROVED", "NONE")], body="Hola {{1}}"
    )
    stored_template(engine, channel_id, "rebajas", [("REJECTED", "SCAM")])

    at = run_page(WORKSPACE, team[Role.MARKETER])
    assert "No template in the workspace for this channel yet." in texts(at)
    picker = at.selectbox(key="wt_from")
    assert picker.options == ["— type the fields by hand —", "bienvenida (es)"]
    picker.set_value(approved)
    at.run()
    assert at.text_input(key="wt_name").value == "bienvenida"
    assert at.text_area(key="wt_content").value == "Hola {{1}}"
    assert at.text_input(key="wt_partner_id").value == "id-bienvenida"
    assert at.selectbox(key="wt_category").value == "MARKETING"
    assert at.selectbox(key="wt_language").value == "es"
    press(at, "wt_save")
    assert "bienvenida added to the workspace" in texts(at)
    assert "**bienvenida**" in texts(at).replace("\\_", "_")
    assert at.text_input(key="wt_name").value == ""

    at.text_input(key="wt_name").input("rebajas")
    at.text_area(key="wt_content").input("Rebajas")
    at.text_input(key="wt_partner_id").input("id-rebajas")
    press(at, "wt_save")
    assert "Only approved templates can be used; rebajas is REJECTED." in errors(at)
    with Session(engine) as session:
        [added] = session.exec(select(WorkspaceTemplate)).all()
        assert added.name == "bienvenida"

    with session_scope(engine) as session:  # what a status webhook or a sync does
        record_status(session, session.get(RemoteTemplate, approved), "PAUSED", None)
    at.run()
    [flag] = [warning.value for warning in at.warning]
    assert flag.startswith("This template is no longer approved on WhatsApp (status: Paused)")
    press(at, f"wt_remove_{added.id}")
    assert "bienvenida removed from the workspace." in texts(at)
    assert "No template in the workspace for this channel yet." in texts(at)


def test_managers_see_status_but_cannot_build_or_delete(run_page, team, channel_id, engine) -> None:
    stored_template(engine, channel_id, "bienvenida", [("APPROVED", "NONE")])
    manager = team[Role.MANAGER]
    builder = run_page(BUILDER, manager)
    assert "Your role (Manager) cannot open this page." in texts(builder)
    assert not builder.text_input

    status = run_page(STATUS, manager)
    assert status.dataframe[0].value["Name"].tolist() == ["bienvenida"]
    assert not status.checkbox
    assert not [b for b in status.button if b.key.startswith(("ts_delete_", "ts_clone_"))]
    assert "Your role can see the templates but not change them." in texts(status)

    workspace = run_page(WORKSPACE, manager)
    assert not workspace.get("text_area")
    assert not [b for b in workspace.button if b.key == "wt_save"]


def test_spanish_labels(run_page, team, channel_id, engine) -> None:
    stored_template(engine, channel_id, "rebajas", [("REJECTED", "PROMOTIONAL")])
    builder = run_page(BUILDER, team[Role.ADMIN], language="es")
    assert builder.title[0].value == "Crear plantilla"
    assert builder.text_input(key="tb_name").label == "Nombre de la plantilla"
    assert builder.button(key="tb_submit").label == "Enviar a aprobación"
    assert builder.toggle(key="tb_meta_limits").label == "Usar las reglas de Meta"
    assert "Código de cupón" in builder.radio(key="tb_type").options
    for kind in ("carousel", "offer", "authentication"):
        builder.radio(key="tb_type").set_value(kind)
        builder.run()
        assert not builder.exception, builder.exception
    assert "es tu código de verificación" in builder.html[0].value
    builder.radio(key="tb_type").set_value("standard")
    assert "las de Meta" in texts(builder)  # Meta's rules are the default
    builder.text_input(key="tb_name").input("Oferta")
    builder.run()
    assert any("Nombre de la plantilla" in text for text in errors(builder))

    builder.toggle(key="tb_meta_limits").set_value(False)
    builder.run()
    assert "diseño de botones compacto" in texts(builder)
    with session_scope(engine) as session:
        assert active_limits(session).name == "compact"

    status = run_page(STATUS, team[Role.ADMIN], language="es")
    assert status.title[0].value == "Estado de plantillas"
    table = status.dataframe[0].value
    assert table["Estado"].tolist() == ["Rechazada"]
    assert table["Cómo corregirlo"].tolist()[0].startswith("Se lee como publicidad")
    workspace = run_page(WORKSPACE, team[Role.ADMIN], language="es")
    assert workspace.title[0].value == "Plantillas del espacio de trabajo"
    assert workspace.button(key="wt_save").label == "Guardar"
