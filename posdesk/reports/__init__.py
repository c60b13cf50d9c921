"""Reports: figures computed from the local mirror (no Qt); the Reports tab renders them."""
