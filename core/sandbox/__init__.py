"""A local 360Dialog ("the sandbox"): both API generations, webhooks, templates, customers.

It stands apart from the rest of ``core``: the product reaches it only over HTTP, exactly as it
reaches 360Dialog, and nothing here imports the product (a test checks it). Each module says which
public page of 360Dialog's (docs.360dialog.com) or Meta's (developers.facebook.com) documentation
the behaviour it imitates comes from, so the sandbox follows the provider, not the product. Public
API:

* :class:`SandboxConfig` and :class:`Account`: what to simulate.
* :class:`Sandbox`: the simulation (state, clock, limits, faults, delivery).
* :class:`SandboxServer`: serve it in-process on a background thread (tests, demo mode).
* :func:`create_app`: the Starlette app, for other hosting.
* ``core.sandbox.cli``: ``add_arguments`` / ``run`` for ``python -m core sandbox``.
"""

from core.sandbox.engine import Sandbox, SandboxConfig
from core.sandbox.runner import SandboxServer
from core.sandbox.server import create_app
from core.sandbox.state import Account

__all__ = ["Account", "Sandbox", "SandboxConfig", "SandboxServer", "create_app"]
