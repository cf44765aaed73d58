"""dakscan.watch_folders."""
