"""Dossiers (hồ sơ): their lifecycle, codes, the counter desk, the back-office feed and the
owner's views."""
