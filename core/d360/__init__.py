"""Everything that speaks 360Dialog: ``api`` (HTTP, both generations), ``events`` (typed webhook
events) and ``errors`` (code -> exception family, with words for users).

Nothing here touches the database or Streamlit, so each piece can be tested on its own.
"""
