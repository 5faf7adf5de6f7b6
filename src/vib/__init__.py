"""VIB — Veilig en Integer Bestuur."""

__version__ = "0.1.0"
