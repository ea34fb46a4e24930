"""The interactive network page (stub: being written, see issue 5)."""
