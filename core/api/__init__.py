"""The HTTP API (``/api/v1``): CRMs, shops and automation tools send and read through it.

- ``tokens``: API tokens (hashed, scoped, expiring, revocable) and who a token acts as.
- ``usage``: the per-token rate limit and the per-minute count of each token's use (its audit).
- ``actions``: what each endpoint does, through the core functions the pages and CLI call.
- ``schema``: the endpoints declared once, and the OpenAPI document built from them.
- ``routes``: the Starlette routes (token, scope, rate limit; the action in a thread).
- ``errors``: refusals as ``{"error": {"code", "message"}}`` with their HTTP status.
"""
