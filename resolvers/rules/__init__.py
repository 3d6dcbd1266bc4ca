"""Domain rules: plain functions with no I/O."""
