"""Deterministic demo content, written for this project, imported through the real importer."""
