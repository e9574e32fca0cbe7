"""The Channels page's parts, drawn by ``pages/channels.py``.

- ``health``: the number's health (the shared card), a check on demand and its history.
- ``profile``: the business profile customers see in WhatsApp, for admins to change.
- ``inbox``: the channel's team inbox settings: business hours with holidays and the away
  message, and automatic assignment.
"""
