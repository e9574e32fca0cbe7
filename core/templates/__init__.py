"""WhatsApp message templates: what one is made of, the rules it must follow to be approved, the
builder's drafts, keeping 360Dialog's list in step, the workspace the team sends from, and sending.

Map: ``anatomy`` (reading parts and variables) · ``vocabulary`` (categories, languages) ·
``limits`` (compact buttons or Meta's) · ``violations`` · ``rules/`` (the validator) · ``values``
(what fills a send, and its checks) · ``messages`` (the send body) · ``preview`` · ``drafts`` (the
builder's form ↔ body, each kind; a carousel's cards in ``card_drafts``, what both build alike in
``draft_parts``) · ``library`` (sync, list, history, delete) · ``submission`` (drafts kept,
validate, submit) · ``samples`` (media samples uploaded, their handles in place) · ``workspace`` ·
``sending``.

Arrows point one way: ``anatomy`` and ``vocabulary`` read; ``rules``, ``values``, ``messages``,
``preview`` and the drafts modules use them and never the store; ``library`` and the modules after it
touch the store and 360Dialog.
"""
