"""dakscan.service.migrations."""
