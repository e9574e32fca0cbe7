"""Campaigns: one approved template sent to a large audience, planned, priced, paced and reported.

- ``audience``: reading the audience (an upload or the channel's contacts), mapping template
  variables to columns, and the plan that names who cannot be sent before anything is.
- ``segments``: saved conditions over a channel's contacts, as an audience.
- ``rates``: Meta's markets by calling code and the per-message rate card (shipped, importable).
- ``estimate``: reach, exclusions by reason, cost by market and the messaging limit's days.
- ``runner``: launching, the rounds that queue recipients into the outbox at the channel's pace,
  pause, resume and cancel; ``windows`` (sending hours in each recipient's local time) and
  ``retries`` (131049, Meta's marketing limit, tried again on the campaign's schedule).
- ``report``: live counts, failures, sends over time and the per-recipient export; ``costs``:
  estimated against actual cost; ``retarget``: a new campaign from a past one's people.
"""
