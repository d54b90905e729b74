"""Case pages, one module per resource."""
