"""Errors that are the user's to fix: the CLI prints them as one line and exits with code 2."""


class UserError(Exception):
    """Bad input (a name, a value, a file). The message says what is wrong and how to fix it."""
