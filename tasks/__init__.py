"""Tasks: data, model recipe and metrics. Built-in tasks are registered lazily in bench.registry."""
