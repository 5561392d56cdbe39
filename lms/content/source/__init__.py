"""Reading and checking the content source files: fields, YAML lines, links, question banks, lessons, folders, checks."""
