"""dakscan.classify."""
