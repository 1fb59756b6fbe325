"""Response shapes of the partner operations, built explicitly from rows."""
