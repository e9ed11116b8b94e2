"""The judging server (being built; see the issues)."""
