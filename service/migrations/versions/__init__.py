"""dakscan.service.migrations.versions."""
