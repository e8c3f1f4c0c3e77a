"""Analysis of a call's responses: counts, charts and form-letter campaigns."""
