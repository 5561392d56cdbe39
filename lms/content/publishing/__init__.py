"""Publishing: plan a parsed bundle against the database and publish it; the demo curriculum hook."""
