"""The business profile against the sandbox over HTTP: read, change field by field, the photo by
Resumable Upload, Meta's refusals in its own words, roles, audit and the command line."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from core.access.auth import PermissionDenied
from core.channels import profile
from core.channels.errors import ChannelError
from core.db import session_scope
from core.errors import UserFacingError
from core.models import AuditEntry, Role
from tests.live import LiveChannel

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_admin_changes_the_profile_field_by_field_and_it_is_audited(
    engine, team, live: LiveChannel
) -> None:
    admin = team[Role.ADMIN]
    with session_scope(engine) as session:
        assert profile.read_profile(session, admin, live.channel_id) == profile.BusinessProfile()
        changed = profile.update_profile(
            session,
            admin,
            live.channel_id,
            {
                "about": "  Abiertos de 9 a 21 ",
                "websites": "https://tienda.example.com https://instagram.com/tienda",
                "vertical": "retail",
            },
        )
        assert changed == ["about", "vertical", "websites"]
        profile.update_profile(
            session, admin, live.channel_id, {"email": "hola@tienda.example.com"}
        )
        found = profile.read_profile(session, team[Role.MANAGER], live.channel_id)
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "channel.profile")
        ).first()
    assert found == profile.BusinessProfile(
        about="Abiertos de 9 a 21",
        email="hola@tienda.example.com",
        websites=("https://tienda.example.com", "https://instagram.com/tienda"),
        vertical="RETAIL",
    )
    assert entry is not None and "about" in str(entry.details)


def test_the_photo_goes_up_by_resumable_upload(engine, team, live: LiveChannel) -> None:
    photo = profile.Photo(PNG, "image/png", "logo.png")
    with session_scope(engine) as session:
        changed = profile.update_profile(
            session, team[Role.ADMIN], live.channel_id, {}, photo=photo
        )
        found = profile.read_profile(session, team[Role.ADMIN], live.channel_id)
    assert changed == ["photo"]
    assert found.profile_picture_url.startswith("https://pps.whatsapp.net/")
    with session_scope(engine) as session, pytest.raises(UserFacingError) as refused:
        profile.update_profile(
            session,
            team[Role.ADMIN],
            live.channel_id,
            {},
            photo=profile.Photo(b"GIF89a", "image/gif", "logo.gif"),
        )
    assert refused.value.message("en") == "The profile photo must be a JPEG or PNG image."


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"description": "d" * 513}, "Param description must be at most 512 characters long."),
        ({"email": "hola"}, "Param email must be a valid email address."),
        ({"websites": "https://a.example https://b.example https://c.example"}, "at most 2"),
        ({"vertical": "naves"}, "Param vertical must be one of"),
    ],
)
def test_what_meta_refuses_is_said_in_its_words(engine, team, live: LiveChannel, change, words):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session, pytest.raises(ChannelError) as refused:
        profile.update_profile(session, team[Role.ADMIN], live.channel_id, change)
    assert words in refused.value.message("es")
    assert refused.value.message("es").startswith("WhatsApp no aceptó el perfil.")


def test_only_admins_change_the_profile(engine, team, live: LiveChannel) -> None:
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        profile.update_profile(session, team[Role.MARKETER], live.channel_id, {"about": "Hola"})


def test_profile_on_the_command_line(engine, live: LiveChannel, run_cli) -> None:
    """``channels profile ID --set field=value --json``, then the profile as it is."""
    done = run_cli(
        "channels",
        "profile",
        str(live.channel_id),
        "--set",
        "about=Abiertos",
        "--set",
        "vertical=HOTEL",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["about"], data["vertical"], data["changed"]) == (
        "Abiertos",
        "HOTEL",
        ["about", "vertical"],
    )
    shown = run_cli("channels", "profile", str(live.channel_id))
    assert "about: Abiertos" in shown.stdout
    refused = run_cli("channels", "profile", str(live.channel_id), "--set", "colour=red")
    assert refused.returncode == 1
    assert "has no field “colour”" in refused.stderr
