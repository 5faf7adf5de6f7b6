"""Helpers of ``bench/load_faults.py``: settings, the clients, the verification."""
