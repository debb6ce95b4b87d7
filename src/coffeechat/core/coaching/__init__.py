"""Coaching the method: prep sheets (prep, questions), draft letters (facts, quotes, drafts), the
etiquette check (lint, kinds, letter_text), the numbers and the referral tree (figures, stats,
graph); text holds the small text helpers they share."""
