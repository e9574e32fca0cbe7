"""How the product runs beside its pages.

- ``front``: the process ``python -m core serve`` runs on the public port; it answers webhooks and
  health itself and relays everything else to the dashboard, a child process it supervises.
- ``children``: starting, restarting and stopping child processes, which end with their parent.
- ``background``: the worker process and its loops (webhook processing, sending, media downloads,
  campaign rounds, template sync, login pruning), started and supervised by the server.
- ``demo``: demo mode, the built-in 360Dialog sandbox with a channel connected to it.
- ``cli``: ``python -m core``, the command line over the same core, one module per command group.
"""
