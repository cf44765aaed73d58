"""dakscan.ingest."""
