"""Coaching the method: prep sheets, draft letters, the etiquette check, the numbers."""
