"""The linked model of the vault: parsed notes typed and linked into contacts, companies and
meetings, the lookups the rules ask, and the findings about the vault as a whole."""
