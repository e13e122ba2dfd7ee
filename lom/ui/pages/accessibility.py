"""Tillgänglighetsredogörelse: the service's accessibility statement, for every role.

Laid out as Digg (Myndigheten för digital förvaltning) asks, after the EU's model statement: who
stands behind the service, how far it meets lagen (2018:1937) om tillgänglighet till digital
offentlig service (WCAG 2.1 AA), what is not accessible and why, how it was tested and when, how to
report a shortcoming, and Digg's supervision with its report form. Update ASSESSED_ON and the list
of shortcomings together whenever the service is assessed again.

Where reports go is the operator's to set: LOM_ACCESSIBILITY_EMAIL, an address that someone at
Trygghetsstiftelsen reads. Without it the statement sends readers to Trygghetsstiftelsen's own
website rather than to an address that may not exist.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date

import streamlit as st

from lom.ui import format as fmt
from lom.ui import shell

TITLE = "Tillgänglighetsredogörelse"
SERVICE = "Lokala omställningsmedel – jämförelse mellan myndigheter"
ASSESSED_ON = date(2026, 12, 3)  # the latest assessment of the service against the law's requirements
UPDATED_ON = ASSESSED_ON  # the latest update of this statement
CONTACT_ENV = "LOM_ACCESSIBILITY_EMAIL"
WEBSITE = "https://www.tsn.se"
DIGG_REPORT = "https://www.digg.se/tdosanmalan"
# The sections, as headings in this order (h2 under the page's h1).
SECTIONS = (
    "Hur tillgänglig är webbplatsen?",
    "Innehåll som inte är tillgängligt",
    "Hur vi testat webbplatsen",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
)
EMAIL = re.compile(r"[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[^@\s<>()\[\]]+")
logger = logging.getLogger(__name__)


def contact_email() -> str | None:
    """The address reports go to (LOM_ACCESSIBILITY_EMAIL), or None when none is set or it is no address."""
    value = os.environ.get(CONTACT_ENV, "").strip()
    if value and not EMAIL.fullmatch(value):
        logger.warning("%s is not an e-mail address; the statement points to %s instead", CONTACT_ENV, WEBSITE)
        return None
    return value or None


def render(context: shell.Context) -> None:
    """The statement; the same for every role, with or without a database."""
    st.title(TITLE)
    st.markdown(
        f"Trygghetsstiftelsen står bakom tjänsten *{SERVICE}*. Tjänsten används av Trygghetsstiftelsens "
        "medarbetare och av de statliga myndigheter som lämnar uppgifter om sina lokala omställningsmedel till "
        "Trygghetsstiftelsen. Vi vill att alla ska kunna använda den. Här beskriver vi hur tjänsten uppfyller "
        "lagen (2018:1937) om tillgänglighet till digital offentlig service, vilka brister vi känner till och hur "
        "du kan rapportera brister till oss så att vi kan åtgärda dem."
    )

    st.header(SECTIONS[0])
    st.markdown(
        "Tjänsten är **delvis förenlig** med lagen (2018:1937) om tillgänglighet till digital offentlig service. "
        "Lagens krav följer standarden EN 301 549, som för webbsidor motsvarar WCAG 2.1 på nivå AA. De brister vi "
        "känner till beskrivs under nästa rubrik.\n\n"
        "Tjänsten har i dag inga PDF-dokument. Varje tabell kan laddas ned som CSV-fil och som Excelfil."
    )

    st.header(SECTIONS[1])
    st.markdown(
        "Det mesta av det som inte är tillgängligt kommer från ramverket Streamlit som tjänsten är byggd med, "
        "och kan inte ändras utan att ramverket ändras.\n\n"
        "- **Engelska texter i inbyggda delar.** Uppladdningen av filer under Data och inläsning (bara för "
        "Trygghetsstiftelsen) visar ramverkets egna texter på engelska: knappen ”Upload”, texten ”100MB per file” "
        "och, när du drar en fil över fältet, ”Drag and drop files here”. Knapparna ovanför tabellerna (”Show/hide "
        "columns”, ”Download as CSV”, ”Search”, ”Fullscreen”), länkarna vid rubrikerna (”Link to heading”) och "
        "några andra inbyggda verktygstips och menytexter är också på engelska, och en skärmläsare läser dem med "
        "svenskt uttal.\n"
        "- **Tabellerna.** Tabellerna ritas som en bild (på en så kallad canvas). En skärmläsare når cellerna "
        "genom tabellens egen rutnätsstruktur, och hur väl det fungerar skiljer sig mellan skärmläsare och "
        "webbläsare. Där läses talen dessutom utan svensk formatering: med decimalpunkt, alla decimaler och "
        "utan enhet (till exempel 12.088531437105962 där tabellen visar 12,1). Varje tabell kan laddas ned som "
        "CSV eller Excel med samma uppgifter. Med tangentbordet flyttar du mellan cellerna med piltangenterna, "
        "och i en tabell där du väljer en rad (till exempel en myndighet på Översikt) väljer du raden med "
        "Skift+Mellanslag.\n"
        "- **Diagrammen.** Diagrammen är bilder. Varje diagram har en textbeskrivning som säger vad det visar och "
        "vad som sticker ut, och samma siffror finns i en tabell på sidan: bredvid diagrammet eller under "
        "”Visa diagrammets siffror som tabell”. För Trygghetsstiftelsen öppnar en punkt i diagrammet på Översikt "
        "myndighetens profil. Det går bara med mus, men samma myndigheter finns i tabellen ovanför, där en rad kan "
        "väljas med tangentbordet."
    )

    st.header(SECTIONS[2])
    st.markdown(
        "Vi har bedömt tjänsten själva (självskattning). Automatiska kontroller med axe-core i webbläsaren "
        "Chromium prövar varje sida mot WCAG 2.1 nivå A och AA, både som Trygghetsstiftelsen och som en myndighet "
        "ser den, i 320 pixlars bredd och med 200 % förstoring. Vi har också använt tjänsten med enbart "
        "tangentbord.\n\n"
        f"Den senaste bedömningen gjordes {fmt.day(ASSESSED_ON)}. "
        f"Redogörelsen uppdaterades senast {fmt.day(UPDATED_ON)}."
    )

    st.header(SECTIONS[3])
    email = contact_email()
    where = f"på [{email}](mailto:{email})" if email else f"via Trygghetsstiftelsens webbplats [www.tsn.se]({WEBSITE})"
    st.markdown(
        "Om du upptäcker brister som inte beskrivs här, eller om du anser att tjänsten inte uppfyller lagens krav, "
        f"kontakta Trygghetsstiftelsen {where} så att vi får veta att problemet finns. Berätta gärna vilken sida "
        "det gäller, vad som inte fungerar och vilken webbläsare och vilka hjälpmedel du använder.\n\n"
        "Om du inte kan ta del av något i tjänsten, till exempel siffrorna i ett diagram, kan du på samma sätt be "
        "oss om det i ett annat format."
    )

    st.header(SECTIONS[4])
    st.markdown(
        "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn enligt lagen om tillgänglighet till "
        "digital offentlig service. Om du inte är nöjd med hur vi har hanterat dina synpunkter kan du anmäla det "
        f"till Digg: [Diggs anmälningsformulär, digg.se/tdosanmalan]({DIGG_REPORT})."
    )
