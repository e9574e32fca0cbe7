"""Parts of the Channels page (``pages/channels.py``).

- ``inbox``: the channel's team inbox settings: business hours with holidays and the away
  message, and automatic assignment.
"""
