"""Importers: journal exports in, normalized entries out (see ``model.ENTRY_SCHEMA``)."""
