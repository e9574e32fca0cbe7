"""Parts of the Users page (``pages/users.py``).

- ``inbox``: a member's availability and limit for automatic assignment, and whether agents see
  every conversation.
"""
