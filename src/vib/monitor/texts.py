"""The fixed wording of the publication, in Dutch and English (ADR 0074).

The report is content that researchers review like the questionnaires' wording, so its
texts live here as data in both languages (as the instruments and indicators do) rather
than in the interface's translation catalogue; the web pages around it use gettext.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "summary": "Samenvatting en kernbevindingen",
        "method": "Methode en respons",
        "factsheets": "Factsheets per provincie",
        "annex": "Bijlage: alle indicatoren en uitsplitsingen",
        "contents": "Inhoud",
        "indicator": "Indicator",
        "total": "Totaal",
        "estimate": "Percentage",
        "interval": "95%-betrouwbaarheidsinterval",
        "n": "n",
        "weighted": "Gewogen",
        "unweighted": "Ongewogen",
        "difference": "Verschil (procentpunt)",
        "year": "Jaar",
        "figure": "Cijfer",
        "source": "Bron",
        "edition": "Editie",
        "restated": "herberekend",
        "this_analysis": "Deze analyse",
        "trend": "Ontwikkeling 2012–2024",  # noqa: RUF001
        "change": "Verandering ten opzichte van de vorige editie",
        "previous": "Vorige editie",
        "p_value": "p-waarde",
        "significant": "significant (p < 0,05)",
        "not_significant": "niet significant",
        "stratum": "Bestuurslaag en functie",
        "population": "Populatie",
        "respondents": "Respondenten",
        "response_rate": "Respons",
        "weights": "Gewichten",
        "registrations": "Registraties naast de enquête",
        "reporting_rate": "Geschatte registratiegraad",
        "staff": "Personeel (fte)",
        "registered": "Geregistreerde voorvallen",
        "per_100": "Per 100 fte",
        "victims_per_100": "Slachtoffers per 100 (enquête)",
        "integrity_registered": "Geregistreerde integriteitsmeldingen",
        "legend_hidden": (
            "x: niet getoond, omdat het aantal respondenten kleiner is dan 10, omdat een "
            "percentage van 0 of 100 in een kleine groep (minder dan 20) iets over personen "
            "zou verraden, of omdat de cel anders uit andere cellen af te leiden zou zijn."
        ),
        "legend_small": "* effectieve steekproefomvang kleiner dan 30: met voorzichtigheid lezen.",
        "legend_wide": "† het 95%-interval is breder dan 20 procentpunt.",
        "comparison": "Vergelijkbare organisaties",
        "province": "Provincie",
        "national": "Landelijk",
        "no_factsheet": (
            "Voor de volgende provincies laat de onthullingscontrole geen factsheet toe, omdat "
            "te weinig organisaties hebben geantwoord:"
        ),
        "key_figures": "Kerncijfers",
        "interval_short": "95%-interval",
        "group": "Groep",
        "change_since": "Verandering sinds",
        "change_note": (
            "Een verandering heet alleen gestegen of gedaald als de toets die aantoont "
            "(p < 0,05), en altijd met het verschil in procentpunt en zijn 95%-interval."
        ),
        "change_note_stacked": (
            "Het verschil is getoetst als contrast tussen de twee edities: de microdata van "
            "beide golven samen in één designgebaseerde analyse van de statistiekmodule, elke "
            "golf met haar eigen strata, eindige-populatiecorrectie en gekalibreerde gewichten "
            "(onafhankelijke steekproeven, dus de standaardfout van het verschil telt de "
            "steekproeffout van beide edities mee). Het cijfer van de vorige editie is daarbij "
            "opnieuw berekend uit haar microdata en kan een fractie afwijken van het destijds "
            "gepubliceerde cijfer. Per bestuurslaag is de verandering op dezelfde manier "
            "getoetst."
        ),
        "change_note_published": (
            "Getoetst tegen het gepubliceerde cijfer van de vorige editie, met de "
            "designgebaseerde standaardfout en vrijheidsgraden van deze editie uit de "
            "statistiekmodule: de microdata van de vorige editie zijn niet in VIB, dus de "
            "steekproeffout van dat cijfer is niet bekend en niet meegenomen. Voor de andere "
            "indicatoren en per bestuurslaag zijn geen eerdere cijfers gepubliceerd."
        ),
        "change_source": "contrast met de microdata van {year}",
        "chart_data": "Gegevens bij de grafiek",
        "by": "naar",
        "tier": "Bestuurslaag",
        "function": "Functie",
        "gender": "Geslacht",
        "reproduce": "Reproduceerbaarheid",
        "generated": "Gemaakt op",
    },
    "en": {
        "summary": "Summary and key findings",
        "method": "Method and response",
        "factsheets": "Factsheets per province",
        "annex": "Annex: every indicator and breakdown",
        "contents": "Contents",
        "indicator": "Indicator",
        "total": "Total",
        "estimate": "Percentage",
        "interval": "95% confidence interval",
        "n": "n",
        "weighted": "Weighted",
        "unweighted": "Unweighted",
        "difference": "Difference (percentage points)",
        "year": "Year",
        "figure": "Figure",
        "source": "Source",
        "edition": "Edition",
        "restated": "restated",
        "this_analysis": "This analysis",
        "trend": "Trend 2012–2024",  # noqa: RUF001
        "change": "Change against the previous edition",
        "previous": "Previous edition",
        "p_value": "p-value",
        "significant": "significant (p < 0.05)",
        "not_significant": "not significant",
        "stratum": "Tier and function",
        "population": "Population",
        "respondents": "Respondents",
        "response_rate": "Response",
        "weights": "Weights",
        "registrations": "Registrations beside the survey",
        "reporting_rate": "Estimated registration rate",
        "staff": "Staff (FTE)",
        "registered": "Registered incidents",
        "per_100": "Per 100 FTE",
        "victims_per_100": "Victims per 100 (survey)",
        "integrity_registered": "Registered integrity reports",
        "legend_hidden": (
            "x: not shown, because fewer than 10 people answered, because 0 or 100 percent in a "
            "small group (under 20) would reveal something about people, or because the cell "
            "could otherwise be worked out from other cells."
        ),
        "legend_small": "* effective sample size under 30: read with care.",
        "legend_wide": "† the 95% interval is wider than 20 percentage points.",
        "comparison": "Comparable organisations",
        "province": "Province",
        "national": "National",
        "no_factsheet": (
            "Disclosure control allows no factsheet for these provinces, as too few "
            "organisations answered:"
        ),
        "key_figures": "Key figures",
        "interval_short": "95% interval",
        "group": "Group",
        "change_since": "Change since",
        "change_note": (
            "A change is only called a rise or a fall when the test shows it (p < 0.05), and "
            "always with the difference in percentage points and its 95% interval."
        ),
        "change_note_stacked": (
            "The difference is tested as a contrast between the two editions: both waves' "
            "microdata in one design-based analysis of the statistics module, each wave with "
            "its own strata, finite-population correction and calibrated weights (independent "
            "samples, so the difference's standard error counts the sampling error of both "
            "editions). The previous edition's figure is recomputed from its microdata and may "
            "differ slightly from the figure published at the time. Per tier the change is "
            "tested the same way."
        ),
        "change_note_published": (
            "Tested against the previous edition's published figure, with this edition's "
            "design-based standard error and degrees of freedom from the statistics module: "
            "the previous edition's microdata are not in VIB, so that figure's sampling error "
            "is unknown and not included. No earlier figures were published for the other "
            "indicators or per tier."
        ),
        "change_source": "contrast with the {year} microdata",
        "chart_data": "Data of the chart",
        "by": "by",
        "tier": "Tier",
        "function": "Function",
        "gender": "Gender",
        "reproduce": "Reproducibility",
        "generated": "Generated on",
    },
}

LEVELS: dict[str, dict[str, dict[str, str]]] = {
    "nl": {
        "tier": {
            "gemeente": "Gemeenten",
            "provincie": "Provincies",
            "waterschap": "Waterschappen",
            "rijk": "Rijk",
        },
        "function": {
            "burgemeester": "Burgemeesters",
            "wethouder": "Wethouders",
            "raadslid": "Raadsleden",
            "cdk": "Commissarissen van de Koning",
            "gedeputeerde": "Gedeputeerden",
            "statenlid": "Statenleden",
            "dijkgraaf": "Dijkgraven",
            "db_lid": "Leden dagelijks bestuur waterschap",
            "ab_lid": "Leden algemeen bestuur waterschap",
            "medewerker": "Medewerkers",
            "secretaris": "Secretarissen",
            "griffier": "Griffiers",
        },
        "gender": {"v": "Vrouwen", "m": "Mannen", "x": "Anders"},
    },
    "en": {
        "tier": {
            "gemeente": "Municipalities",
            "provincie": "Provinces",
            "waterschap": "Water boards",
            "rijk": "National government",
        },
        "function": {
            "burgemeester": "Mayors",
            "wethouder": "Aldermen",
            "raadslid": "Councillors",
            "cdk": "King's Commissioners",
            "gedeputeerde": "Provincial executives",
            "statenlid": "Provincial councillors",
            "dijkgraaf": "Water board chairs",
            "db_lid": "Water board executives",
            "ab_lid": "Water board members",
            "medewerker": "Employees",
            "secretaris": "Secretaries",
            "griffier": "Clerks",
        },
        "gender": {"v": "Women", "m": "Men", "x": "Other"},
    },
}


def level_label(language: str, breakdown: str, level: str) -> str:
    return LEVELS[language].get(breakdown, {}).get(level, level)
