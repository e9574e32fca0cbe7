"""Conversations with customers: who they are, what they wrote, and what the team answers.

- ``contacts``: the one place contacts and their conversations are made, one at a time or a
  webhook batch's or campaign round's set at once.
- ``inbound``: customers' messages into the store (with media to fetch, opt-outs, the greeting).
- ``statuses``: what WhatsApp says happened to the messages we sent.
- ``threads``: the conversation list, a thread, the 24-hour window, and the team's replies.
- ``media``: attachments downloaded from 360Dialog and files the team sends.
- ``optouts``: customers who asked for no more marketing messages.
- ``export``: every message, for another system or a spreadsheet.
"""
