"""At home in Obsidian: Bases views, property types, obsidian:// links and the dashboard note."""
