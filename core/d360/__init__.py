"""Everything that speaks 360Dialog: ``client`` (the HTTP layer, one method per endpoint, both
generations) over ``transport`` (kept-alive connections), ``answers`` (what a send and a template
listing answer, read into results), ``events`` (webhook bodies as typed
events) and ``errors`` (every code to one exception family, with codes and titles but no words
for people: those are chosen where an error is shown).

Nothing here touches the database, Streamlit or the UI's translations, so each piece can be
tested on its own.
"""
