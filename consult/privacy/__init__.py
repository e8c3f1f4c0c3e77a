"""What the service holds about a person: the export of their data and the deletion of their account."""
