"""What the graph answers: the JSON API's lists, recommendations, resource descriptions,
the dataset description (catalog), the landing page's summary and the example queries."""
