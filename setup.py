"""The reply scorer compiled by Cython: its n-gram kernel (ngrams.pyx) and, in pure Python mode,
the modules that score a reply (the same sources run uncompiled, several times slower).
``pip install -e .`` builds them in place; tests/conftest.py rebuilds them when a source is newer
than its build."""
from Cython.Build import cythonize
from setuptools import setup

KERNEL = "webapp/roleplay/ngrams.pyx"
#: Compiled as they are: type annotations are not read as C types, so the compiled module behaves
#: exactly as the source does under Python (None where a str is annotated, subclasses of dict).
PURE_PYTHON = ["webapp/roleplay/scoring.py", "webapp/roleplay/learned.py", "webapp/roleplay/meaning.py",
               "webapp/roleplay/literals.py"]

setup(ext_modules=cythonize([KERNEL], compiler_directives={"language_level": 3}, quiet=True)
      + cythonize(PURE_PYTHON, compiler_directives={"language_level": 3, "annotation_typing": False}, quiet=True))
