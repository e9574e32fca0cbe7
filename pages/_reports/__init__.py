"""The parts of the overview (on home) and of the Reports page: figures with their change, the
charts, the template performance table. Rendering only: the figures come from ``core.reports``."""
