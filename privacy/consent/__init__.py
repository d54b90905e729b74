"""Consent: purposes, policy versions, the append-only ledger, separate consent, coverage, renewals, outreach."""
