"""An example plugin package: one unlearning method, exposed through the entry-point group
``unlearnbench.methods`` in pyproject.toml (no unlearnbench file is edited)."""
