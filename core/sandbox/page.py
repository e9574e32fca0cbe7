"""The customer's phone: a static page at ``/sandbox/`` that talks to the control API.

Plain HTML and vanilla JavaScript shipped inside the package (no build step, no external assets),
polling the control API every second.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

PAGE = Path(__file__).with_name("static") / "customer.html"


async def customer_page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


async def to_page(request: Request) -> RedirectResponse:
    return RedirectResponse("/sandbox/")


ROUTES = [
    Route("/sandbox/", customer_page, methods=["GET"]),
    Route("/sandbox", to_page, methods=["GET"]),
]
