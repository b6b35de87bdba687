"""The column layout of the NPPES NPI full replacement file (`npidata_pfile_YYYYMMDD-YYYYMMDD.csv`).

Source: CMS, "NPPES Data Dissemination" public file and its readme ("NPPES_Data_Dissemination_Readme.pdf"
and the header file `npidata_pfile_..._fileheader.csv` shipped in the monthly zip at
https://download.cms.gov/nppes/NPI_Files.html). 330 columns, every value double-quoted, blanks as "",
dates MM/DD/YYYY, ZIP codes as 5 or 9 digits without a dash. Written from the published layout: the order
below is the order of the file. CMS renamed "Provider Gender Code" to "Provider Sex Code" in later files;
the importer accepts either name.
"""

from __future__ import annotations

TAXONOMY_SLOTS = 15
OTHER_IDENTIFIER_SLOTS = 50

_HEAD = [
    "NPI",
    "Entity Type Code",
    "Replacement NPI",
    "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Middle Name",
    "Provider Name Prefix Text",
    "Provider Name Suffix Text",
    "Provider Credential Text",
    "Provider Other Organization Name",
    "Provider Other Organization Name Type Code",
    "Provider Other Last Name",
    "Provider Other First Name",
    "Provider Other Middle Name",
    "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text",
    "Provider Other Credential Text",
    "Provider Other Last Name Type Code",
    "Provider First Line Business Mailing Address",
    "Provider Second Line Business Mailing Address",
    "Provider Business Mailing Address City Name",
    "Provider Business Mailing Address State Name",
    "Provider Business Mailing Address Postal Code",
    "Provider Business Mailing Address Country Code (If outside U.S.)",
    "Provider Business Mailing Address Telephone Number",
    "Provider Business Mailing Address Fax Number",
    "Provider First Line Business Practice Location Address",
    "Provider Second Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "Provider Business Practice Location Address Telephone Number",
    "Provider Business Practice Location Address Fax Number",
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Reason Code",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Provider Gender Code",
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Telephone Number",
]
_TAXONOMY = [
    name
    for slot in range(1, TAXONOMY_SLOTS + 1)
    for name in (
        f"Healthcare Provider Taxonomy Code_{slot}",
        f"Provider License Number_{slot}",
        f"Provider License Number State Code_{slot}",
        f"Healthcare Provider Primary Taxonomy Switch_{slot}",
    )
]
_OTHER_IDENTIFIERS = [
    name
    for slot in range(1, OTHER_IDENTIFIER_SLOTS + 1)
    for name in (
        f"Other Provider Identifier_{slot}",
        f"Other Provider Identifier Type Code_{slot}",
        f"Other Provider Identifier State_{slot}",
        f"Other Provider Identifier Issuer_{slot}",
    )
]
_TAIL = [
    "Is Sole Proprietor",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Parent Organization TIN",
    "Authorized Official Name Prefix Text",
    "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
    *(f"Healthcare Provider Taxonomy Group_{slot}" for slot in range(1, TAXONOMY_SLOTS + 1)),
    "Certification Date",
]

COLUMNS: tuple[str, ...] = (*_HEAD, *_TAXONOMY, *_OTHER_IDENTIFIERS, *_TAIL)
assert len(COLUMNS) == 330

# Other names a column has carried in published files (new name -> name in COLUMNS).
ALIASES = {"Provider Sex Code": "Provider Gender Code"}

# What the importer reads (names in COLUMNS).
NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
ORGANIZATION_NAME = "Provider Organization Name (Legal Business Name)"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
MIDDLE_NAME = "Provider Middle Name"
PREFIX = "Provider Name Prefix Text"
SUFFIX = "Provider Name Suffix Text"
CREDENTIAL = "Provider Credential Text"
LINE1 = "Provider First Line Business Practice Location Address"
LINE2 = "Provider Second Line Business Practice Location Address"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
POSTAL_CODE = "Provider Business Practice Location Address Postal Code"
COUNTRY = "Provider Business Practice Location Address Country Code (If outside U.S.)"
PHONE = "Provider Business Practice Location Address Telephone Number"
LAST_UPDATE = "Last Update Date"
DEACTIVATION_DATE = "NPI Deactivation Date"
REACTIVATION_DATE = "NPI Reactivation Date"
GENDER = "Provider Gender Code"
TAXONOMY_CODES = tuple(f"Healthcare Provider Taxonomy Code_{slot}" for slot in range(1, TAXONOMY_SLOTS + 1))
PRIMARY_SWITCHES = tuple(
    f"Healthcare Provider Primary Taxonomy Switch_{slot}" for slot in range(1, TAXONOMY_SLOTS + 1)
)
