"""How the product runs beside its pages.

- ``background``: the worker process and its loops (webhook processing, sending, media downloads,
  campaign rounds, template sync), started and supervised by the server.
- ``demo``: demo mode, the built-in 360Dialog sandbox with a channel connected to it.
- ``cli``: ``python -m core``, the command line over the same core, one module per command group.
"""
