"""Insights for training offices: the unit dashboard (read from rollups), weak points, the officer's next steps."""
