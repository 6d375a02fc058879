"""Projections: tables rebuilt from the event log, kept current from a checkpoint."""
