"""The path of a webhook from 360Dialog, from the HTTP request to its effects, one module a step.

1. ``routes``: HTTP intake, an ASGI middleware that answers ``POST /webhooks/360dialog/{id}``
   before Streamlit's own middleware (which a machine-to-machine POST does not need).
2. ``receiver``: checks the channel's secret header and that the body is JSON, stores the raw
   body durably (group commit), then answers 200; the body is read into events only later, so
   the answer is fast and a body that got 200 is never lost.
   ``landing``: on SQLite the bodies go to a file of their own next to the database, which no
   other writer holds up; the processor moves them into ``webhook_events``.
3. ``processor``: later, in the background worker, reads stored bodies in batches
   (``core.d360.events.parse_webhook``) and hands each event on, once, in order.
4. ``core.conversations.inbound`` (customers' messages, echoes, greetings) and
   ``core.conversations.statuses`` (delivery statuses) store what the events say, and
   ``template_events`` records a template's review.

Bodies follow 360Dialog's and Meta's formats: https://docs.360dialog.com/docs/waba-messaging/webhook
and https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components.
"""
