"""Campaigns: one approved template sent to a large audience, planned, paced and reported.

- ``audience``: reading the audience (an upload or the channel's contacts), mapping template
  variables to columns, and the plan that names who cannot be sent before anything is.
- ``runner``: launching, the rounds that queue recipients into the outbox at the channel's pace,
  pause, resume and cancel.
- ``report``: live counts, failures, sends over time and the per-recipient export.
"""
