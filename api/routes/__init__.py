"""The HTTP routes, one module per part of the site; :mod:`api.app` mounts them."""
