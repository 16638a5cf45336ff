"""Resources: the connections every layer shares, so each layer asks one place for them."""
