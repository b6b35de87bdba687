"""onconav: open-source cancer-care navigation.

Knowledge, a directory of specialists ranked with visible reasons, trials and second opinions.
"""

__version__ = "0.1.0"
