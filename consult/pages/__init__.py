"""Public pages that gather several features: the home page, topics, the list of calls and a call's page."""
