"""The demo's words for seed_progress: each indicator's scale and action in the citizens' own
words per language (by component), generic texts for any other component, and the rest of what
the demo writes (sessions, pledges)."""

from dataclasses import dataclass

LEVEL_NAMES = {
    "fr": ("Très mauvais", "Mauvais", "Moyen", "Bon", "Idéal"),
    "en": ("Very bad", "Bad", "Average", "Good", "Ideal"),
    "pt": ("Muito mau", "Mau", "Médio", "Bom", "Ideal"),
}
# Placements per level (worst first) of each indicator, before and after, spread over a session's
# participants: every indicator moves up.
BEFORE = ((3, 4, 3, 2, 0), (4, 4, 2, 2, 0), (2, 5, 3, 1, 1))
AFTER = ((1, 2, 3, 4, 1), (1, 3, 3, 3, 1), (0, 2, 4, 3, 2))


@dataclass(frozen=True)
class Scale:
    """An indicator in one language: title, description, the five situations worst first, and
    the action the platform takes for it (title, description)."""

    title: str
    description: str
    levels: tuple[str, str, str, str, str]
    action: tuple[str, str]


SCALES: dict[str, dict[str, Scale]] = {
    "A11": {
        "fr": Scale(
            "Être bien informé dans le quartier",
            "Savoir ce qui se passe près de chez soi et pouvoir croire ce qu'on lit.",
            (
                "On n'apprend rien de ce qui se passe ici, ou seulement des rumeurs.",
                "On sait quelques nouvelles par le bouche-à-oreille, souvent trop tard.",
                "Ceux qui ont internet savent ce qui se passe, les autres non.",
                "Un journal ou un panneau donne les nouvelles, presque tout le monde le lit.",
                "Chacun sait ce qui se passe, peut vérifier une information et donner la sienne.",
            ),
            (
                "Un journal de quartier écrit par les habitants",
                "Quatre numéros par an, écrits et distribués par les habitants, en papier et "
                "en ligne.",
            ),
        ),
        "en": Scale(
            "Being well informed in the neighbourhood",
            "Knowing what happens near home, and being able to trust what we read.",
            (
                "We hear nothing about what happens here, or only rumours.",
                "A bit of news goes round by word of mouth, often too late.",
                "Those with internet know what is going on, the others do not.",
                "A newsletter or a notice board gives the news; nearly everyone reads it.",
                "Everyone knows what is going on, can check a piece of news and share their own.",
            ),
            (
                "A neighbourhood newsletter written by the residents",
                "Four issues a year, written and handed out by the residents, on paper and online.",
            ),
        ),
        "pt": Scale("Estar bem informado no bairro", "", ("", "", "", "", ""), ("", "")),
    },
    "A07": {
        "fr": Scale(
            "Des loisirs pour tous",
            "Pouvoir faire du sport, lire, sortir, quel que soit son âge ou son budget.",
            (
                "Il n'y a rien à faire ici, surtout pour les jeunes.",
                "Il y a des activités, mais trop chères ou trop loin.",
                "On trouve des activités, mais il faut savoir où chercher.",
                "Chacun trouve une activité près de chez lui, à un prix possible.",
                "Tout le monde participe, et les habitants proposent eux-mêmes des activités.",
            ),
            (
                "La médiathèque ouverte le samedi",
                "Des bénévoles tiennent la médiathèque le samedi et lisent des histoires aux "
                "enfants.",
            ),
        ),
        "en": Scale(
            "Leisure for everyone",
            "Being able to play sport, read and go out, whatever one's age or budget.",
            (
                "There is nothing to do here, above all for young people.",
                "There are activities, but too dear or too far away.",
                "There are activities, but you have to know where to look.",
                "Everyone finds an activity near home, at a price they can pay.",
                "Everyone takes part, and the residents run activities themselves.",
            ),
            (
                "The library open on Saturdays",
                "Volunteers keep the library open on Saturdays and read stories to the children.",
            ),
        ),
        "pt": Scale("Lazer para todos", "", ("", "", "", "", ""), ("", "")),
    },
    "D03": {
        "fr": Scale(
            "Avoir des amis près de chez soi",
            "Ne pas rester seul : avoir quelqu'un sur qui compter dans le quartier.",
            (
                "Beaucoup de gens sont seuls et ne parlent à personne de la semaine.",
                "On se dit bonjour, mais on ne compte pas les uns sur les autres.",
                "On a quelques amis, mais les nouveaux venus restent à l'écart.",
                "La plupart des gens ont des amis ici et se rendent service.",
                "Personne n'est seul : chacun a quelqu'un à qui parler et sur qui compter.",
            ),
            (
                "Un café des voisins chaque mercredi",
                "Un café ouvert à tous dans la salle du centre social, chaque mercredi après-midi.",
            ),
        ),
        "en": Scale(
            "Having friends close by",
            "Not being alone: having someone to count on in the neighbourhood.",
            (
                "Many people are alone and speak to nobody all week.",
                "We say hello, but we do not count on each other.",
                "We have a few friends, but newcomers stay on their own.",
                "Most people have friends here and help each other out.",
                "Nobody is alone: everyone has someone to talk to and to count on.",
            ),
            (
                "A neighbours' café every Wednesday",
                "A café open to all in the community centre's hall, every Wednesday afternoon.",
            ),
        ),
        "pt": Scale("Ter amigos perto de casa", "", ("", "", "", "", ""), ("", "")),
    },
    "A10": {
        "fr": Scale(
            "Se déplacer facilement",
            "Aller au travail, chez le médecin ou en ville sans voiture et sans se ruiner.",
            (
                "Sans voiture, on reste bloqué chez soi.",
                "Le bus passe rarement et coûte cher.",
                "On se débrouille, mais cela prend beaucoup de temps.",
                "Les bus sont fréquents et pas chers, les pistes cyclables sûres.",
                "Chacun va où il veut, à pied, à vélo ou en bus, même la nuit.",
            ),
            (
                "Le covoiturage des voisins",
                "Un tableau au centre social et un groupe de messages pour partager les trajets.",
            ),
        ),
        "en": Scale(
            "Getting around easily",
            "Going to work, to the doctor or to town without a car and without going broke.",
            (
                "Without a car you are stuck at home.",
                "The bus rarely comes and costs too much.",
                "We manage, but it takes a lot of time.",
                "Buses are frequent and cheap, cycle lanes are safe.",
                "Everyone goes where they like, on foot, by bike or by bus, even at night.",
            ),
            (
                "Neighbours' car sharing",
                "A board at the community centre and a message group to share journeys.",
            ),
        ),
        "pt": Scale("Deslocar-se facilmente", "", ("", "", "", "", ""), ("", "")),
    },
}
# Any other component: texts built on its name.
GENERIC = {
    "fr": Scale(
        "{label} : où en sommes-nous ?",
        "Comment les habitants vivent « {label} » dans leur quartier.",
        (
            "Personne n'y trouve son compte : c'est un souci de tous les jours.",
            "Quelques-uns s'en sortent, la plupart non.",
            "Ça va pour une partie des habitants, pas pour tous.",
            "La plupart des habitants en sont contents.",
            "Tout le monde en profite, même les plus fragiles.",
        ),
        ("Agir ensemble : {label}", "Ce que les habitants et leurs partenaires font ensemble."),
    ),
    "en": Scale(
        "{label}: where do we stand?",
        "How the residents live “{label}” in their neighbourhood.",
        (
            "Nobody is satisfied: it is a worry every day.",
            "A few manage, most do not.",
            "It is fine for some of the residents, not for all.",
            "Most residents are happy with it.",
            "Everyone benefits, even the most fragile.",
        ),
        ("Acting together: {label}", "What the residents and their partners do together."),
    ),
}
# What the demo writes besides the indicators, per language.
WORDS = {
    "fr": {
        "group_session": "Évaluation avec le groupe « {group} »",
        "platform_session": "Évaluation de toute la plateforme",
        "notes": "Chacun a placé le quartier sur l'échelle, puis nous en avons parlé.",
        "public_body": "Ville de {place}",
        "organisation": "Centre social du quartier",
        "time": "Deux samedis matin par mois",
        "skills": "Les jeunes animent les ateliers et les réseaux sociaux",
        "money": "Une subvention pour le matériel",
        "equipment": "Des tables, des chaises et une imprimante",
        "place": "La grande salle, le mercredi après-midi",
        "training": "Une formation à l'animation de groupes",
        "withdrawn": "Une heure par semaine (je déménage)",
    },
    "en": {
        "group_session": "Evaluation with the group “{group}”",
        "platform_session": "Evaluation by the whole platform",
        "notes": "Each of us placed the neighbourhood on the scale, then we talked it over.",
        "public_body": "City of {place}",
        "organisation": "The neighbourhood community centre",
        "time": "Two Saturday mornings a month",
        "skills": "The young people run the workshops and the social media",
        "money": "A grant for the equipment",
        "equipment": "Tables, chairs and a printer",
        "place": "The main hall, on Wednesday afternoons",
        "training": "Training in running group meetings",
        "withdrawn": "One hour a week (I am moving away)",
    },
}
TEXT_LANGUAGES = tuple(WORDS)
