"""National Provider Identifiers: ten digits, the last a Luhn check digit over the 80840 prefix.

The one computation of the check digit, for the importers that validate NPIs and the fixtures that make them.
"""

from __future__ import annotations

import re

NPI_DIGITS = 10
NPI_SHAPE = re.compile(rf"^\d{{{NPI_DIGITS}}}$")
# The health-industry issuer prefix that CMS puts before the first nine digits for the Luhn check (ISO 7812).
ISSUER_PREFIX = "80840"


def npi_check_digit(first_nine: str) -> str:
    """The check digit of an NPI whose first nine digits are `first_nine` (Luhn, with the 80840 prefix)."""
    total = 0
    for index, char in enumerate(reversed(ISSUER_PREFIX + first_nine)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """Ten digits, the last being the check digit of the first nine (the CMS NPI standard)."""
    return bool(NPI_SHAPE.match(npi)) and int(npi_check_digit(npi[:9])) == int(npi[9])
