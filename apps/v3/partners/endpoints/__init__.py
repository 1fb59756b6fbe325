"""The V3 handlers of the partner operations, one module per spec tag."""
