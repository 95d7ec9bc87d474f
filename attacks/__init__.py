"""Attacks and forgetting probes, one per file, each named by its registry key.

Each file holds a pure functional core (numpy arrays in, floats out) and a thin registered
``bench.Attack`` wrapper that gathers per-example losses through ``bench.AttackContext`` and
declares each metric's direction.
"""
