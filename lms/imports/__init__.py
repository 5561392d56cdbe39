"""One flow for every all-or-nothing import from a CSV or XLSX file.

upload → every row checked → the file staged under a token → a preview with
every problem named by row and column → confirm (the file is checked again)
→ applied in one transaction, or not at all.

- ``files``: reading the table (CSV in UTF-8 or GBK, XLSX), cell text, dates, ``Problem``;
- ``table``: the header row, the body rows and the problems every import shares (``read``, ``Plan``);
- ``forms``: the upload and confirmation forms;
- ``pages``: the steps of the web flow (``ImportPages``), the blank template files;
- ``problems_file``: a file with refused rows written back with its 问题 column, to correct and upload again.

Each import gives only its columns, its row checks and its apply step:
``lms.org.imports`` (people) and ``lms.mentoring.imports`` (pairings).
This package imports no domain; the domains import it.
"""
