"""Content: the curriculum as files, published into the database.

- models, schema: the domain's tables; the parsed shapes and Problem (shared vocabulary)
- rendering, rendering_fast: markdown to sanitised HTML (lessons, publishing, exams)
- draws: one reading of an exam's draw rule (publishing, console, exams)
- source/: reading and checking the source files (fields, yaml_lines, links, bank_parser, parser, folder, checks...)
- publishing/: plan and publish a parsed bundle; the demo's publish hook
- console/: the trainer console (queries, editor, upload, views, forms, panels)
- lessons/: the learner's pages (courses, lessons, reading marks, assets): queries and views
- blueprint: the `content` blueprint both the lessons and the console register their pages on
- importers/: GIFT and Excel import and export of question banks
- cli: the `flask content` commands
"""
