"""forensics: evidence handling for online-defamation cases.

Bring captured files into a case folder without changing a byte of them, keep a hash-chained
custody log, and prove at any later time that nothing was altered, added, removed or reordered.

>>> import forensics
>>> sorted(forensics.__all__)[:4]
['Case', 'IntakeFacts', 'VerificationReport', '__version__']
"""

__version__ = "0.1.0"

from forensics.case import Case  # after __version__: the modules below read it
from forensics.intake import IntakeFacts
from forensics.integrity import VerificationReport, verify_case

__all__ = ["Case", "IntakeFacts", "VerificationReport", "__version__", "verify_case"]
