"""Domain values: frozen attrs types, enums and validation. No decisions live here."""
