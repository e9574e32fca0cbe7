"""Everything we send to WhatsApp: queued as rows first, then sent at each channel's pace.

- ``queue``: a message and its job written in the caller's transaction (replies, greetings,
  templates, campaign rounds), retries of failed messages, read receipts.
- ``sender``: the background sender that claims due jobs and calls 360Dialog, records what was
  sent or why not, and recovers sends a dead worker left unfinished.
- ``limiter``: the pace, never more than a channel's throughput in any second.
"""
