"""Contacts, mail and meetings into the vault from outside, and contacts out of it."""
