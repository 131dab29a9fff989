"""Prefect flows and thin tasks, the CLI, and schedules. Nothing imports this package."""
