"""Campaign resources as the spec shapes them."""
