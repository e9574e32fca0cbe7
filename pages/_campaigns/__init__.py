"""The Campaigns page's parts, drawn by ``pages/campaigns.py``.

- ``state``: what the page keeps in the session between reruns.
- ``plan``: a new campaign's audience, variable mapping, check and previews.
- ``launch``: its name, start time and start.
- ``progress``: one campaign's live progress, controls and report.
- ``optouts``: contacts who asked not to receive marketing, and opting them back in.
"""
