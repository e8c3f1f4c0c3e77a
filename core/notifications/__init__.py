"""Notifications: composition, the outbox, the SMTP transport and each person's mail choices."""
