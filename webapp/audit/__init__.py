"""The append-only audit log: models and services. HR's pages read it."""
