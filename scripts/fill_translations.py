"""Fill zh_CN translations from a YAML file of ``msgid: 译文`` pairs.

    python scripts/fill_translations.py DOMAIN pairs.yaml

Only empty entries are filled; the catalogue is then compiled. Handy when a
change adds many strings at once; editing the .po by hand works just as well.
"""
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from babel.messages.pofile import write_po  # noqa: E402

from lms import i18n  # noqa: E402

domain, pairs_file = sys.argv[1], sys.argv[2]
pairs = yaml.safe_load(Path(pairs_file).read_text(encoding="utf-8"))
catalog = i18n.load(domain)
filled, missing = 0, []
for message in catalog:
    if not message.id or i18n._translated(message):
        continue
    key = message.id if isinstance(message.id, str) else message.id[0]
    if key in pairs:
        value = pairs[key]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
        filled += 1
    else:
        missing.append(key)
with i18n.catalog_path(domain).open("wb") as fh:
    write_po(fh, catalog, width=120)
i18n.compile_(domain)
print(f"{domain}: filled {filled}; still untranslated: {len(missing)}")
for m in missing:
    print("  ", repr(m))
