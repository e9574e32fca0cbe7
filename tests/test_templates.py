"""Templates against the sandbox over HTTP: sync through pages, status history, workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.access.auth import PermissionDenied
from core.channels.registry import client_for
from core.db import session_scope
from core.errors import UserFacingError
from core.models import RemoteTemplate, Role, WorkspaceTemplate
from core.templates import library
from core.templates.library import history, sync_templates
from core.templates.sending import send_template_to_number
from core.templates.submission import TemplateInvalid, clone_to_draft, save_draft, submit_template
from core.templates.workspace import add_to_workspace, workspace_prefill

pytestmark = pytest.mark.sandbox(review_delay=0.05)


def submit_directly(
    channel_id: int, engine, name: str, body_text: str = "Hola {{1}}, tenemos ofertas."
) -> None:
    from core.models import Channel

    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
    with client_for(channel) as client:
        client.create_template(
            {
                "name": name,
                "category": "MARKETING",
                "language": "es",
                "components": [
                    {"type": "BODY", "text": body_text, "example": {"body_text": [["Ana"]]}}
                ],
            }
        )


def test_sync_pages_through_every_template_and_keeps_history(engine, team, live) -> None:
    control, channel_id = live
    for index in range(7):
        submit_directly(channel_id, engine, f"promo_{index}")
    control.idle()
    pages: list[tuple[int, int]] = []
    original_page_size = library.SYNC_PAGE_SIZE
    library.SYNC_PAGE_SIZE = 3
    try:
        with session_scope(engine) as session:
            result = sync_templates(
                session,
                team[Role.MANAGER],
                channel_id,
                progress=lambda done, total: pages.append((done, total)),
            )
    finally:
        library.SYNC_PAGE_SIZE = original_page_size
    assert result.fetched == 7 and result.created == 7
    assert pages == [(3, 7), (6, 7), (7, 7)]
    with Session(engine) as session:
        statuses = {t.name: t.status for t in session.exec(select(RemoteTemplate))}
        assert statuses == {f"promo_{index}": "APPROVED" for index in range(7)}
    control.call(
        "POST", f"/accounts/{control.number}/templates/promo_0/status", {"status": "PAUSED"}
    )
    with session_scope(engine) as session:
        again = sync_templates(session, team[Role.MANAGER], channel_id)
        promo = session.exec(select(RemoteTemplate).where(RemoteTemplate.name == "promo_0")).one()
        changes = history(session, team[Role.MANAGER], promo.id)
    assert again.created == 0 and promo.status == "PAUSED"
    assert [c.status for c in changes][-1] == "PAUSED"


def test_only_approved_templates_enter_the_workspace_and_get_flagged(engine, team, live) -> None:
    control, channel_id = live
    submit_directly(channel_id, engine, "bienvenida", body_text="Bienvenida {{1}} a la tienda.")
    submit_directly(channel_id, engine, "rebajas", body_text="Rebajas {{1}} hoy.")
    control.idle()
    control.call(
        "POST",
        f"/accounts/{control.number}/templates/rebajas/status",
        {"status": "REJECTED", "reason": "INVALID_FORMAT"},
    )
    marketer = team[Role.MARKETER]
    with session_scope(engine) as session:
        sync_templates(session, marketer, channel_id)
        approved = session.exec(
            select(RemoteTemplate).where(RemoteTemplate.name == "bienvenida")
        ).one()
        fields = workspace_prefill(approved)
        assert (
            fields["content"] == "Bienvenida {{1}} a la tienda." and fields["partner_template_id"]
        )
        added = add_to_workspace(session, marketer, channel_id, **fields)
        with pytest.raises(UserFacingError) as refused:
            add_to_workspace(
                session,
                marketer,
                channel_id,
                name="rebajas",
                content="Rebajas {{1}}",
                partner_template_id="x",
                category="MARKETING",
                language="es",
            )
        assert "approved" in refused.value.message("en")
        with pytest.raises(PermissionDenied):
            add_to_workspace(session, team[Role.AGENT], channel_id, **fields)
    assert added.partner_template_id and added.flagged_reason is None
    control.call(
        "POST", f"/accounts/{control.number}/templates/bienvenida/status", {"status": "PAUSED"}
    )
    with session_scope(engine) as session:
        sync_templates(session, marketer, channel_id)
        assert session.get(WorkspaceTemplate, added.id).flagged_reason == "PAUSED"


def test_status_webhook_updates_the_table_without_a_sync(engine, team, live) -> None:
    from core.webhooks import processor

    control, channel_id = live
    submit_directly(channel_id, engine, "aviso")
    control.call(
        "POST", f"/accounts/{control.number}/templates/aviso/status", {"status": "APPROVED"}
    )
    control.idle()
    processor.process_pending(engine)
    with Session(engine) as session:
        aviso = session.exec(select(RemoteTemplate).where(RemoteTemplate.name == "aviso")).one()
        assert aviso.status == "APPROVED"


GOOD = {
    "name": "pedido_listo",
    "category": "UTILITY",
    "language": "es",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Pedido {{1}}",
            "example": {"header_text": ["A-12"]},
        },
        {
            "type": "BODY",
            # Meta refuses a body that ends with a variable:
            # https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
            "text": "Hola {{1}}, tu pedido está listo para recoger el {{2}} en la tienda.",
            "example": {"body_text": [["Ana", "lunes"]]},
        },
        {"type": "FOOTER", "text": "Tienda 1980"},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Gracias"}]},
    ],
}


def test_invalid_template_is_refused_naming_the_rule_before_anything_is_sent(
    engine, team, live
) -> None:
    control, channel_id = live
    broken = {**GOOD, "name": "Pedido Listo"}
    with session_scope(engine) as session, pytest.raises(TemplateInvalid) as refused:
        submit_template(session, team[Role.MARKETER], channel_id, broken)
    assert [v.rule for v in refused.value.violations] == ["name_format"]
    assert "name" in refused.value.message("en").lower()
    assert control.call("GET", f"/accounts/{control.number}/templates") == []


def test_submitted_template_moves_from_pending_to_approved_by_webhook(engine, team, live) -> None:
    from core.webhooks import processor

    control, channel_id = live
    with session_scope(engine) as session:
        submitted = submit_template(session, team[Role.MARKETER], channel_id, GOOD)
    assert submitted.status == "PENDING"
    control.idle()
    processor.process_pending(engine)
    with Session(engine) as session:
        stored = session.get(RemoteTemplate, submitted.id)
        assert stored.status == "APPROVED"
        assert [c.status for c in history(session, team[Role.MANAGER], stored.id)] == [
            "PENDING",
            "APPROVED",
        ]


def test_drafts_and_clones_stay_local(engine, team, live) -> None:
    control, channel_id = live
    marketer = team[Role.MARKETER]
    with session_scope(engine) as session:
        draft = save_draft(session, marketer, channel_id, {**GOOD, "name": "borrador"})
        clone = clone_to_draft(session, marketer, draft.id, "borrador_v2")
        assert (draft.status, clone.status) == ("DRAFT", "DRAFT")
        assert clone.components == draft.components
    assert control.call("GET", f"/accounts/{control.number}/templates") == []


def test_an_approved_template_reaches_a_customer_outside_the_window(engine, team, live) -> None:
    from core.outbox.sender import Sender
    from core.templates.values import TemplateValues, TemplateValuesError
    from core.webhooks import processor

    control, channel_id = live
    marketer = team[Role.MARKETER]
    with session_scope(engine) as session:
        submit_template(session, marketer, channel_id, GOOD)
    control.idle()
    processor.process_pending(engine)
    with session_scope(engine) as session, pytest.raises(TemplateValuesError):
        send_template_to_number(
            session,
            marketer,
            channel_id,
            "+34611000999",
            "pedido_listo",
            "es",
            TemplateValues(body=["Ana"]),
        )
    with session_scope(engine) as session:
        message = send_template_to_number(
            session,
            marketer,
            channel_id,
            "+34611000999",
            "pedido_listo",
            "es",
            TemplateValues(header=["B-7"], body=["Luis", "martes"]),
        )
        assert (
            message.text == "Hola Luis, tu pedido está listo para recoger el martes en la tienda."
        )
    Sender(engine, client_for).run_once()
    [sent] = control.sent()
    assert sent["type"] == "template" and sent["customer"] == "34611000999"
    components = sent["payload"]["template"]["components"]
    assert {c["type"] for c in components} == {"header", "body"}


def test_templates_on_the_command_line(engine, run_cli, live, tmp_path) -> None:
    import json

    from core.outbox.sender import Sender
    from core.webhooks import processor

    control, channel_id = live
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(GOOD))
    bad.write_text(json.dumps({**GOOD, "components": GOOD["components"][:1]}))

    assert run_cli("templates", "validate", str(good)).returncode == 0
    approved = Path(__file__).parent / "testdata" / "template_rules" / "approved"
    assert (
        run_cli("templates", "validate", str(approved / "carousel_media_cards.json")).returncode
        == 0
    )
    refused = run_cli("templates", "validate", str(bad))
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "body" in refused.stderr.lower()

    submitted = run_cli("templates", "submit", "--channel", str(channel_id), str(good), "--json")
    assert submitted.returncode == 0, submitted.stderr
    assert json.loads(submitted.stdout)["status"] == "PENDING"
    control.idle()
    processor.process_pending(engine)
    synced = run_cli("templates", "sync", "--channel", str(channel_id), "--json")
    assert json.loads(synced.stdout)["fetched"] == 1
    listed = json.loads(run_cli("templates", "list", "--json").stdout)
    assert [(t["name"], t["status"]) for t in listed] == [("pedido_listo", "APPROVED")]

    sent = run_cli(
        "templates",
        "send",
        "--channel",
        str(channel_id),
        "--to",
        "+34 611 000 999",
        "--template",
        "pedido_listo",
        "--language",
        "es",
        "--header-param",
        "C-3",
        "--param",
        "Eva",
        "--param",
        "jueves",
        "--json",
    )
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["text"].startswith("Hola Eva")
    missing = run_cli(
        "templates",
        "send",
        "--channel",
        str(channel_id),
        "--to",
        "+34611000999",
        "--template",
        "pedido_listo",
        "--language",
        "es",
        "--param",
        "Eva",
    )
    assert missing.returncode == 1 and "error:" in missing.stderr
    Sender(engine, client_for).run_once()
    assert [m["customer"] for m in control.sent()] == ["34611000999"]


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
MEDIA = {
    "name": "catalogo_otono",
    "category": "MARKETING",
    "language": "es",
    "components": [
        {"type": "HEADER", "format": "IMAGE"},
        {"type": "BODY", "text": "Nuestro catálogo de otoño ya está aquí."},
    ],
}


def test_a_media_template_with_an_uploaded_sample_is_approved(engine, team, live, tmp_path) -> None:
    from core.templates.samples import attach_samples
    from core.webhooks import processor

    control, channel_id = live
    sample = tmp_path / "otono.png"
    sample.write_bytes(PNG)
    marketer = team[Role.MARKETER]
    with session_scope(engine) as session:
        body = attach_samples(session, marketer, channel_id, MEDIA, header=sample)
        [handle] = body["components"][0]["example"]["header_handle"]
        assert handle.startswith("4:") and "example" not in MEDIA["components"][0]
        submitted = submit_template(session, marketer, channel_id, body)
    control.idle()
    processor.process_pending(engine)
    with Session(engine) as session:
        assert session.get(RemoteTemplate, submitted.id).status == "APPROVED"


def test_a_media_id_as_sample_gets_metas_refusal_in_its_words(engine, team, live) -> None:
    from core.models import Channel
    from core.templates.library import D360ActionFailed
    from core.templates.samples import with_handles

    control, channel_id = live
    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
    with client_for(channel) as client:
        media_id = client.upload_media(PNG, "image/png", "otono.png")
    with session_scope(engine) as session, pytest.raises(D360ActionFailed) as refused:
        submit_template(
            session, team[Role.MARKETER], channel_id, with_handles(MEDIA, header=media_id)
        )
    for language in ("en", "es"):
        assert refused.value.message(language) == (
            "360Dialog: Uploaded Media Handle Is Invalid — "
            "Check the handle provided for the uploaded media in the request."
        )
    assert control.call("GET", f"/accounts/{control.number}/templates") == []


CAROUSEL = {
    "name": "ofertas",
    "category": "MARKETING",
    "language": "es",
    "components": [
        {"type": "BODY", "text": "Mira nuestras ofertas."},
        {
            "type": "CAROUSEL",
            "cards": [
                {
                    "components": [
                        {"type": "HEADER", "format": "IMAGE"},
                        {"type": "BODY", "text": f"Oferta {number}"},
                    ]
                }
                for number in (1, 2)
            ],
        },
    ],
}


def test_handles_go_in_the_header_and_in_each_cards_header() -> None:
    from core.templates.samples import with_handles

    placed = with_handles(CAROUSEL, cards={0: "4:first", 1: "4:second"})
    cards = placed["components"][1]["cards"]
    assert [card["components"][0]["example"] for card in cards] == [
        {"header_handle": ["4:first"]},
        {"header_handle": ["4:second"]},
    ]
    assert "example" not in CAROUSEL["components"][1]["cards"][0]["components"][0]
    kept = {**MEDIA, "components": [{**MEDIA["components"][0], "example": {"x": 1}}]}
    assert with_handles(kept, header="4:h")["components"][0]["example"] == {
        "x": 1,
        "header_handle": ["4:h"],
    }


@pytest.mark.parametrize(
    ("body", "samples", "words"),
    [
        (GOOD, {"header": "4:h"}, "no image, video or document header"),
        (CAROUSEL, {"cards": {2: "4:h"}}, "Card 2 has no image or video header"),
        (CAROUSEL, {"header": "4:h"}, "no image, video or document header"),
    ],
)
def test_a_sample_with_nowhere_to_go_is_refused_in_words(body, samples, words) -> None:
    from core.templates.samples import with_handles

    with pytest.raises(UserFacingError) as refused:
        with_handles(body, **samples)
    assert words in refused.value.message("en")


def test_media_samples_on_the_command_line(engine, run_cli, live, tmp_path) -> None:
    import json

    from core.webhooks import processor

    control, channel_id = live
    template, sample = tmp_path / "media.json", tmp_path / "otono.png"
    template.write_text(json.dumps(MEDIA))
    sample.write_bytes(PNG)
    submit = ("templates", "submit", "--channel", str(channel_id))

    without = run_cli(*submit, str(template))
    assert without.returncode == 1 and "sample file" in without.stderr
    missing = run_cli(*submit, str(template), "--header-sample", str(tmp_path / "none.png"))
    assert missing.returncode == 1 and "Cannot read the sample file" in missing.stderr
    no_card = run_cli(*submit, str(template), "--card-sample", "0=" + str(sample))
    assert no_card.returncode == 1 and "Card 0 has no image or video header" in no_card.stderr
    wrong = run_cli(*submit, str(template), "--card-sample", "first=x.png")
    assert wrong.returncode == 2 and "--card-sample" in wrong.stderr

    submitted = run_cli(*submit, str(template), "--header-sample", str(sample), "--json")
    assert submitted.returncode == 0, submitted.stderr
    assert json.loads(submitted.stdout)["status"] == "PENDING"
    [remote] = control.call("GET", f"/accounts/{control.number}/templates")
    assert remote["components"][0]["example"]["header_handle"][0].startswith("4:")
    control.idle()
    processor.process_pending(engine)
    listed = json.loads(run_cli("templates", "list", "--json").stdout)
    assert [(t["name"], t["status"]) for t in listed] == [("catalogo_otono", "APPROVED")]

    from core.models import Channel

    with Session(engine) as session:
        channel = session.get(Channel, channel_id)
    with client_for(channel) as client:
        media_id = client.upload_media(PNG, "image/png", "otono.png")
    by_id = {**MEDIA, "name": "catalogo_invierno"}
    by_id["components"] = [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [media_id]}},
        MEDIA["components"][1],
    ]
    template.write_text(json.dumps(by_id))
    refused = run_cli(*submit, str(template))
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: 360Dialog: Uploaded Media Handle Is Invalid — "
        "Check the handle provided for the uploaded media in the request.\n"
    )


def test_a_media_carousel_from_the_command_line_carries_uploaded_handles(
    engine, cli, live, tmp_path
) -> None:
    """Meta's media-card carousel example, its card samples uploaded by Resumable Upload
    (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/media-card-carousel-templates)."""
    import json

    from core.webhooks import processor
    from tests.testdata import load

    control, channel_id = live
    carousel = load("template_rules/approved/carousel_media_cards.json")
    cards = next(part for part in carousel["components"] if part["type"] == "carousel")["cards"]
    for card in cards:
        del card["components"][0]["example"]  # the handles come from our uploads
    template, sample = tmp_path / "carousel.json", tmp_path / "card.png"
    template.write_text(json.dumps(carousel))
    sample.write_bytes(PNG)
    card_samples = [arg for n in range(len(cards)) for arg in ("--card-sample", f"{n}={sample}")]

    submitted = cli(
        "templates", "submit", "--channel", str(channel_id), str(template), *card_samples
    )
    assert submitted.returncode == 0, submitted.stderr
    [remote] = control.call("GET", f"/accounts/{control.number}/templates")
    remote_cards = next(p for p in remote["components"] if p["type"].lower() == "carousel")
    handles = [
        card["components"][0]["example"]["header_handle"][0] for card in remote_cards["cards"]
    ]
    assert len(handles) == len(cards) and all(h.startswith("4:") for h in handles)
    assert len(set(handles)) == len(cards)
    control.idle()
    processor.process_pending(engine)
    listed = json.loads(cli("templates", "list", "--json").stdout)
    assert [(t["name"], t["status"]) for t in listed] == [(carousel["name"], "APPROVED")]
