"""``python -m bench``: every benchmark, one after the other (``make bench``)."""

from bench import campaign, ingest

ingest.main([])
campaign.main([])
