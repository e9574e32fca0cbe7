"""Tests of what managers read: the overview, the charts, template performance."""
