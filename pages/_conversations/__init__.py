"""The conversation viewer's parts, drawn by ``pages/conversations.py``.

- ``filters``: the inbox's views (mine, unassigned, all) with their counts, and its filters.
- ``inbox``: the conversation list, one compact row per conversation.
- ``actions``: what an agent does in a thread (reply, retry, older messages), as widget callbacks.
- ``message``: one message of any kind, as a chat bubble with its ticks.
- ``thread``: the open conversation, its 24-hour window, its messages and notes in order.
- ``composer``: what the team writes under the thread (reply, template, private note).
- ``assignment``, ``profile``, ``notes``, ``canned``: the team inbox's widgets (triage, the
  contact, private notes, canned replies).
"""
