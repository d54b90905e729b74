"""Retention: rules per data category, legal holds and restrictions, the purge engine and its runs."""
