"""The agenda kept per subject: what the rules made of each subject, what it read, the days it
holds for, and how a changed note or a new day recomputes only what it reaches."""
