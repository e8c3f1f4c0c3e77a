"""Exports of responses: CSV, JSON Lines and XLSX, streamed in constant memory."""
