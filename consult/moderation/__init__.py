"""Moderation: deciding which responses are published, redacting personal data, "not me" reports."""
