"""Model architectures used by the tasks."""
