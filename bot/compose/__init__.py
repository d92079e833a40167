"""The composition root's processes and their one start/stop sequence (see ``bot/app.py``)."""
