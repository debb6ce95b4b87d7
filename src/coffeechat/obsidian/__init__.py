"""At home in Obsidian: Bases views, property types, obsidian:// links and the dashboard note,
as text (storage/ writes them into the vault)."""
