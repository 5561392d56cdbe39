"""The learner's lesson pages: queries (catalogue, live lessons, reading marks, assets) and views."""
