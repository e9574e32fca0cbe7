"""The template pages' parts: the builder's form (``builder_form``), drawn by
``pages/template_builder.py``, and the status table (``status_table``), drawn by
``pages/template_status.py``."""
