"""``python -m bench``: every benchmark, one after the other (``make bench``)."""

from bench import campaign, crash, front, ingest, pages, sessions

ingest.main([])
crash.main([])
pages.main([])
campaign.main([])
front.main([])
sessions.main([])
