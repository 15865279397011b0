"""Keeping the store well: checking, backups and snapshots, recovery of damaged files, and the
trash with retention."""
