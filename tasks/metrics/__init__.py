"""Pure metric functions that tasks use to score models (no torch modules, no registries)."""
