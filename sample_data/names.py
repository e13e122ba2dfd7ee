"""Invented agency names: fictitious places and remits, so no real agency stands beside made-up figures."""

from __future__ import annotations

import numpy as np

PLACES = [
    "Älvby",
    "Norrsund",
    "Östervik",
    "Fjällå",
    "Sjöhamra",
    "Granlunda",
    "Björkvalla",
    "Åsmora",
    "Västerlid",
    "Ekeholm",
    "Furuvik",
    "Lindås",
    "Mossberga",
    "Strandnäs",
    "Ödsbacka",
    "Kvarnby",
    "Rönnskog",
    "Hällby",
    "Tallmo",
    "Vikhamn",
]
PATTERNS = {
    "Universitet och högskolor": [
        "Högskolan i {place}",
        "{place} universitet",
        "Konstnärliga högskolan i {place}",
    ],
    "Rättsväsende och säkerhet": [
        "Myndigheten för {remit}",
        "Nämnden för {remit}",
        "{place} tillsynskansli",
    ],
    "Social trygghet och hälsa": ["Verket för {remit}", "Institutet för {remit}", "{place} hälsokansli"],
    "Ekonomi, skatt och finans": [
        "Kontoret för {remit}",
        "Myndigheten för {remit}",
        "{place} räkenskapsverk",
    ],
    "Infrastruktur, miljö och näringsliv": ["Verket för {remit}", "Centrum för {remit}", "{place} fjärrverk"],
    "Kultur, utbildning och övrigt": ["Institutet för {remit}", "Nämnden för {remit}", "{place} samlingar"],
}
REMITS = {
    "Rättsväsende och säkerhet": [
        "fyrsäkerhet",
        "sjöräddningsberedskap",
        "dokumentäkthet",
        "tillståndsprövning av fyrverkerier",
        "vittnesstöd",
    ],
    "Social trygghet och hälsa": [
        "hörselhälsa",
        "fjällmedicin",
        "äldres vardagsteknik",
        "friluftshälsa",
        "sömnforskning",
    ],
    "Ekonomi, skatt och finans": [
        "myntvård",
        "statlig räntestatistik",
        "kassaflödesanalys",
        "bokföringsnormer i stiftelser",
        "tullvärdering av antikviteter",
    ],
    "Infrastruktur, miljö och näringsliv": [
        "kustväder",
        "snöröjningsforskning",
        "vattenkraftsmiljö",
        "broinspektion",
        "bergtäktstillsyn",
        "ljusföroreningar",
    ],
    "Kultur, utbildning och övrigt": [
        "folkmusikarkiv",
        "dialektvård",
        "runstensvård",
        "skolmåltidsforskning",
        "ortnamnsvård",
        "teaterhistoria",
    ],
}


def agency_names(sectors: list[str], rng: np.random.Generator) -> list[str]:
    """Return one unique invented name per agency, in the style of its sector."""
    names: list[str] = []
    taken = set()
    for sector in sectors:
        for attempt in range(1000):
            pattern = PATTERNS[sector][int(rng.integers(len(PATTERNS[sector])))]
            place = PLACES[int(rng.integers(len(PLACES)))]
            remits = REMITS.get(sector, ["förvaltning"])
            remit = remits[int(rng.integers(len(remits)))]
            name = pattern.format(place=place, remit=remit)
            if attempt > 50:
                name = f"{name} {attempt}"  # only when asked for hundreds of agencies
            if name not in taken:
                break
        taken.add(name)
        names.append(name)
    return names
