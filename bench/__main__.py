"""``python -m bench``: every benchmark, one after the other (``make bench``)."""

from bench import campaign, ingest, pages

ingest.main([])
pages.main([])
campaign.main([])
