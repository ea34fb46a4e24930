"""The domain: what the graph says, as answers for the API and the pages: the JSON API's lists,
recommendations, resource descriptions, the dataset description (catalog), the source texts
and their passages, the landing page's summary and the example queries."""
