"""Customers and their threads: everything between a message arriving and an agent answering it.

``contacts`` is the one place where contacts and conversations are made; ``inbound`` stores what
customers send (a webhook batch at a time) and ``arrivals`` does what the team inbox asks when they
write (automatic assignment, the away message); ``statuses`` moves our messages forward (sent,
delivered, read, failed: never backwards); ``window`` is WhatsApp's 24-hour window; ``threads`` is
what agents read and answer, filtered by ``views`` (mine, unassigned, a status, a member, a label;
counts per view); the team inbox's ``assignment`` (who answers whom, who sees what),
``lifecycle`` (open, pending, snoozed, resolved), ``labels``, ``canned`` replies, private
``notes`` and the contact ``profile``; ``media`` downloads and uploads files, ``optouts`` honours
customers who asked not to be written to, and ``export`` writes conversations out for the team.
"""
