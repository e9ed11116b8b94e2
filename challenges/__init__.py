"""Challenge packs: worlds with declarative scoring rules (being built; see the issues)."""
