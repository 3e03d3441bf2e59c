"""Subcommands of ``course``, one module per group."""
