"""Unlearning methods: one file per method, file name = registry key."""
