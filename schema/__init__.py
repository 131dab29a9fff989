"""Typed records that cross stage boundaries, the ontology model, configuration and errors."""
