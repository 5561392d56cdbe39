"""The trainer console: curriculum queries, the browser editor, folder upload, views, forms and dashboard panels."""
