"""Customers and their threads: everything between a message arriving and an agent answering it.

``contacts`` is the one place where contacts and conversations are made; ``inbound`` stores what
customers send (a webhook batch at a time), ``statuses`` moves our messages forward (sent,
delivered, read, failed: never backwards), ``threads`` is what agents read and answer, ``media``
downloads and uploads files, ``optouts`` honours customers who asked not to be written to, and
``export`` writes conversations out for the team.
"""
