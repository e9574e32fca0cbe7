"""What a manager reads: the overview's figures, the reports' charts, how each template performs.

Counts and first-response times are kept up to date as messages are stored (``recording``: hourly
rows and the conversations waiting for an answer, written in the same transaction as the
messages), resolution times as the inbox resolves conversations; so a month of a million
messages is read as a few thousand small rows. Percentiles come from time buckets
(``response_times``). Template performance is indexed SQL over the
template messages themselves (``template_performance``). ``rebuild`` recomputes the kept rows from
the messages and the audit log's status changes (after an upgrade, or to check them).
"""
