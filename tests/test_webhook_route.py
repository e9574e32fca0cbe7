"""The webhook route over HTTP: 401 for a wrong secret, 400 for a body that is not JSON, else 200."""

import httpx

from core.channels.registry import WEBHOOK_SECRET_HEADER, webhook_url
from tests.d360.helpers import load
from tests.live import serve_routes
from tests.store_helpers import WEBHOOK_SECRET, make_channel


def test_route_answers_each_case(engine) -> None:
    channel = make_channel(engine)
    body = load("courier/cloud_webhook__hello.json")
    with serve_routes() as base:
        url = webhook_url(base, channel.id)
        good = {WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET}
        assert httpx.post(url, json=body, headers=good).status_code == 200
        assert httpx.post(url, json=body, headers={WEBHOOK_SECRET_HEADER: "x"}).status_code == 401
        assert httpx.post(url, json=body).status_code == 401
        assert httpx.post(url, content=b"not json", headers=good).status_code == 400
        assert (
            httpx.post(f"{base}/webhooks/360dialog/abc", json=body, headers=good).status_code == 404
        )
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}


def test_concurrent_bodies_are_group_committed_and_all_stored(engine) -> None:
    import asyncio

    from sqlmodel import Session, func, select

    from core.models import WebhookEvent
    from core.webhooks.landing import move_landed

    channel = make_channel(engine)
    body = load("courier/cloud_webhook__hello.json")

    async def post_many(url: str) -> list[int]:
        async with httpx.AsyncClient(headers={WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET}) as client:
            answers = await asyncio.gather(*(client.post(url, json=body) for _ in range(200)))
        return [answer.status_code for answer in answers]

    with serve_routes() as base:
        codes = asyncio.run(post_many(webhook_url(base, channel.id)))
    assert codes == [200] * 200
    move_landed(engine)  # on SQLite the bodies landed in a file of their own first
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(WebhookEvent)).one() == 200
