"""The template pages' parts. The builder (``pages/template_builder.py``) draws ``builder_form``
(kind, name, category, language, header, body, footer, buttons), which uses ``kind_fields`` (coupon
code, limited-time offer, authentication settings), ``card_fields`` (a carousel's cards),
``examples`` (a sample per variable) and ``sample_upload`` (media samples uploaded for the review).
The status page (``pages/template_status.py``) draws ``status_table``."""
