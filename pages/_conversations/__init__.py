"""The conversation viewer's parts, drawn by ``pages/conversations.py``.

- ``actions``: what an agent does in a thread (reply, retry, older messages), as widget callbacks.
- ``message``: one message of any kind, as a chat bubble with its ticks.
- ``thread``: the open conversation, its 24-hour window and the composer.
"""
