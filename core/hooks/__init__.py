"""Outgoing webhooks: other systems (CRMs, n8n, Make, Zapier) told what happens on the number.

- ``events``: the events one can subscribe to, queued as deliveries in the transaction of the
  change they report (one insert per batch, so the webhook processor stays fast).
- ``subscriptions``: the URLs admins subscribe, their signing secrets, the delivery log and
  "send again".
- ``delivery``: the worker's sender: HMAC-SHA256 signed, in order per conversation, retried with
  backoff for about a day; a dead endpoint never slows anything but its own deliveries.
"""
