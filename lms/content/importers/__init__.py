"""Importing question banks trainers already have (Moodle GIFT, Excel) and
exporting banks back to Excel.

An import never publishes by itself: the file is converted to
``lms.content.schema.ParsedQuestion`` objects (every error with its line, or
row and column), written as a markdown bank file into the content folder
(``serialize.bank_markdown``), and that file goes through the normal
pipeline (parse → check → plan → publish). The content folder stays the
source of truth.
"""
