"""The domain: what the graph says, as answers for the API and the pages."""
