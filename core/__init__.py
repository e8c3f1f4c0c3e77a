"""The shared core: people, vocabulary, clock, errors, audit, permissions, notifications, time zones
and the web helpers every feature uses. It imports no feature (see the layer order in README.md)."""
