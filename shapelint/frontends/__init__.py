"""Framework front-ends: read model code into the layer graph."""
