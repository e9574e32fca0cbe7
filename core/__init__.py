"""1980TIC WhatsApp's core: everything the dashboard, the command line and the worker do.

Pages only render and call into here, so every rule is testable without Streamlit. The top level
keeps what every package shares (``config``, ``db``, ``models``, ``migrations``, ``paging``,
``crypto``, ``i18n`` with ``locales/``, ``errors``, ``failures``, ``phones``); the packages below
are the product's domains, in the order a message travels: ``access`` (who may do what),
``channels`` (numbers connected through 360Dialog), ``webhooks`` (what 360Dialog sends us),
``conversations`` (customers and their threads), ``outbox`` (what we send), ``templates``,
``campaigns``, ``d360`` (speaking 360Dialog's API), ``sandbox`` (a local 360Dialog) and
``runtime`` (worker, demo mode, command line). The README's "Architecture" section draws the map.
"""
