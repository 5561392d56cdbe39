from tests.content.conftest import english, folder  # noqa: F401  (the content folder fixtures)
