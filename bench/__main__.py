"""``python -m bench``: every benchmark, one after the other (``make bench``)."""

from bench import api, campaign, crash, ingest, pages, sessions

ingest.main([])
crash.main([])
pages.main([])
campaign.main([])
sessions.main([])
api.main([])
