"""forensics: evidence handling for online-defamation cases.

Bring captured files into a case folder without changing a byte of them, keep a hash-chained
custody log, and prove at any later time that nothing was altered, added, removed or reordered.
"""

__version__ = "0.1.0"
