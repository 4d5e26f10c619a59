#!/usr/bin/env python3
"""Regenerates the IEEE registry CSVs in this folder from the npm package oui-data.

    python3 oui-data/make.py OUI_DATA_JSON IAB_2022_CSV [OUT_DIR]

OUI_DATA_JSON is index.json of the npm package oui-data (keys are hex prefixes: 6 digits for
MA-L, 7 for MA-M, 9 for MA-S or IAB; values are "Organization\\naddress lines...\\nCountry").
IAB_2022_CSV is IEEE's iab.csv (here the copy in Debian's ieee-data 20220827.1). It tells which
9-digit keys are IAB rather than MA-S, and it supplies the IAB rows themselves: the IAB
registry has been closed since 2014 and oui-data does not carry it.

The output is byte-compatible with IEEE's own CSVs (https://standards-oui.ieee.org/oui/oui.csv
and its siblings): the header `Registry,Assignment,Organization Name,Organization Address`,
minimal quoting with doubled quotes, CRLF line ends, UTF-8 without a byte order mark, and an
address that ends in a space. Rows are sorted by assignment (IEEE's own order is arbitrary).

oui-data keeps the address as lines and spells the country out; IEEE's CSV joins street, city,
state, country code and postal code with spaces. That split cannot be recovered, so the address
written here is the lines joined with spaces and the country turned back into its ISO 3166 code
(a country name missing from COUNTRY_CODES is kept as it is). Only the organization name is
used by netorigin; the address is kept for people.

Standard library only.
"""

import csv
import io
import json
import os
import sys

HEADER = ["Registry", "Assignment", "Organization Name", "Organization Address"]

# The English country names oui-data writes (CLDR spellings) and their ISO 3166-1 codes.
COUNTRY_CODES = {
    "Algeria": "DZ", "Andorra": "AD", "Argentina": "AR", "Armenia": "AM", "Australia": "AU",
    "Austria": "AT", "Bahamas": "BS", "Bahrain": "BH", "Bangladesh": "BD", "Belarus": "BY",
    "Belgium": "BE", "Bolivia": "BO", "Bosnia & Herzegovina": "BA", "Brazil": "BR",
    "British Virgin Islands": "VG", "Brunei": "BN", "Bulgaria": "BG", "Cambodia": "KH",
    "Canada": "CA", "Cayman Islands": "KY", "Chile": "CL", "China": "CN", "Colombia": "CO",
    "Comoros": "KM", "Costa Rica": "CR", "Croatia": "HR", "Cyprus": "CY", "Czechia": "CZ",
    "Denmark": "DK", "Dominican Republic": "DO", "Egypt": "EG", "Estonia": "EE",
    "Eswatini": "SZ", "Finland": "FI", "France": "FR", "Georgia": "GE", "Germany": "DE",
    "Greece": "GR", "Hong Kong SAR China": "HK", "Hungary": "HU", "Iceland": "IS",
    "India": "IN", "Indonesia": "ID", "Iran": "IR", "Iraq": "IQ", "Ireland": "IE",
    "Israel": "IL", "Italy": "IT", "Japan": "JP", "Jordan": "JO", "Kazakhstan": "KZ",
    "Kenya": "KE", "Kuwait": "KW", "Latvia": "LV", "Lebanon": "LB", "Liechtenstein": "LI",
    "Lithuania": "LT", "Luxembourg": "LU", "Macao SAR China": "MO", "Malaysia": "MY",
    "Malta": "MT", "Mauritius": "MU", "Mexico": "MX", "Moldova": "MD", "Monaco": "MC",
    "Montenegro": "ME", "Morocco": "MA", "Myanmar (Burma)": "MM", "Netherlands": "NL",
    "New Zealand": "NZ", "Nigeria": "NG", "North Korea": "KP", "North Macedonia": "MK",
    "Norway": "NO", "Oman": "OM", "Pakistan": "PK", "Panama": "PA", "Peru": "PE",
    "Philippines": "PH", "Poland": "PL", "Portugal": "PT", "Puerto Rico": "PR", "Qatar": "QA",
    "Romania": "RO", "Russia": "RU", "Samoa": "WS", "Saudi Arabia": "SA", "Serbia": "RS",
    "Seychelles": "SC", "Singapore": "SG", "Slovakia": "SK", "Slovenia": "SI",
    "South Africa": "ZA", "South Korea": "KR", "Spain": "ES", "Sri Lanka": "LK",
    "Sudan": "SD", "Sweden": "SE", "Switzerland": "CH", "Taiwan": "TW", "Tajikistan": "TJ",
    "Thailand": "TH", "Tunisia": "TN", "Türkiye": "TR", "U.S. Virgin Islands": "VI",
    "Ukraine": "UA", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "Uruguay": "UY", "Vanuatu": "VU", "Venezuela": "VE",
    "Vietnam": "VN",
}

# Output file of each registry, as IEEE names them.
FILES = {"MA-L": "oui.csv", "MA-M": "mam.csv", "MA-S": "oui36.csv", "IAB": "iab.csv"}


def read_csv(path):
    """The rows of an IEEE CSV after its header."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        sys.exit(f"{path}: expected the header {','.join(HEADER)}")
    return rows[1:]


def address(lines):
    """IEEE's one-line address from oui-data's address lines."""
    if not lines:
        return ""
    *rest, country = lines
    return " ".join(rest + [COUNTRY_CODES.get(country, country)]) + " "


def row(registry, key, value):
    """One IEEE CSV row from an oui-data entry."""
    organization, *lines = value.split("\n")
    return [registry, key, organization, address(lines)]


def write_csv(path, rows):
    """Writes rows after the header the way IEEE does."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    with open(path, "wb") as f:
        f.write(out.getvalue().encode("utf-8"))


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    json_path, iab_path = argv[1], argv[2]
    out_dir = argv[3] if len(argv) == 4 else os.path.dirname(os.path.abspath(__file__))

    with open(json_path, encoding="utf-8") as f:
        data = json.load(f)
    iab_2022 = {r[1].upper(): r for r in read_csv(iab_path)}

    rows = {registry: [] for registry in FILES}
    for key, value in data.items():
        key = key.upper()
        if len(key) == 6:
            registry = "MA-L"
        elif len(key) == 7:
            registry = "MA-M"
        elif len(key) == 9:
            registry = "IAB" if key in iab_2022 else "MA-S"
        else:
            sys.exit(f"{json_path}: key {key!r} is neither 6, 7 nor 9 hex digits")
        if any(c not in "0123456789ABCDEF" for c in key):
            sys.exit(f"{json_path}: key {key!r} is not hexadecimal")
        rows[registry].append(row(registry, key, value))

    # IAB blocks oui-data does not carry come from the 2022 file as IEEE wrote them.
    carried = {r[1] for r in rows["IAB"]}
    for key, r in iab_2022.items():
        if key not in carried and key not in data:
            rows["IAB"].append(r)

    for registry, name in FILES.items():
        rows[registry].sort(key=lambda r: r[1])
        write_csv(os.path.join(out_dir, name), rows[registry])
        print(f"{name}: {len(rows[registry])} {registry} assignments")


if __name__ == "__main__":
    main(sys.argv)
