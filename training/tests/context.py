"""Puts the repository root on sys.path so that `import training` works when the tests are run as
`cd training && /usr/bin/python3 -m unittest discover -s tests -v`."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
