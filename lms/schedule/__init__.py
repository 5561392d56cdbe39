"""Scheduling in the browser: programmes and exam settings edited in the trainer console (files stay the source)."""
