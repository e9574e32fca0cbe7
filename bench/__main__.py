"""``python -m bench``: every benchmark, one after the other (``make bench``)."""

from bench import api, campaign, crash, front, ingest, pages

ingest.main([])
crash.main([])
pages.main([])
campaign.main([])
front.main([])
api.main([])
