"""The toolkit every page shares, so each page only lays out its own widgets.

- ``session``: the store, the acting user and the guard a page starts with.
- ``flash``: run a core action and say what came of it (the one way pages report an outcome).
- ``labels``: moments in the viewer's timezone, words for codes (categories, statuses, languages,
  roles, channels), and untrusted text made safe for markdown.
- ``pager``: previous/next under a long list.
- ``bubble``: a template as the customer's WhatsApp shows it, users' words escaped.
- ``template_form``: choose an approved workspace template and fill its variables.
- ``live``: one small fragment per tab that reruns the page when what it shows changed.

Rendering only: every decision is made in ``core``.
"""
