"""dakscan.service."""
