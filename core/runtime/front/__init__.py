"""The front process ``python -m core serve`` runs on the public port.

It answers 360Dialog's webhooks and ``/healthz`` itself and relays everything else (pages, static
files, uploads, the login routes, Streamlit's websocket) to the dashboard, a Streamlit child it
starts on a loopback port and restarts if it dies. A dashboard rerun holds Python's interpreter
lock for tens of milliseconds; in its own process it can no longer delay a webhook's answer.

- ``forwarding``: which request headers go on to the dashboard, and the ``X-Forwarded-*`` added.
- ``http_relay``: HTTP requests relayed with their bodies streamed both ways.
- ``ws_relay``: websocket sessions relayed message by message.
- ``server``: the front's own routes, its children, and ``run`` (uvicorn).
"""
