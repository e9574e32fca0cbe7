"""WhatsApp numbers connected through 360Dialog, one channel each.

- ``connect``: connecting a number and changing a connection; both check the key and swap the
  number's webhook for ours, putting the previous one back when anything fails.
- ``registry``: the stored channels (list, settings, deactivation), their webhook address, and
  ``client_for``, a stored channel's 360Dialog client.
- ``validation``: the rules a channel's values follow, checked before 360Dialog is asked.
- ``health``: the health line (last webhook, last error, messages today) and reading
  360Dialog's ``health_status``.
- ``number_health``: what WhatsApp says about the number (can send, quality rating, messaging
  limit, display name status), checked and announced by webhook, kept over time.
- ``profile``: the business profile customers see (about, description, address, email,
  websites, vertical, photo).
- ``errors``: ``ChannelError``, every refusal in the reader's language.
- ``changes``: each channel's version, raised by every writer of what pages show for it, so an
  open page reruns only when it moved.
- ``watchers``: which open dashboard tabs to rerun now (what they show moved, their login
  ended); ``redraws``: the process's budget for redraws nobody is waiting for.
"""
