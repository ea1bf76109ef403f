"""A realistic demo network for `manage.py generate_demo_data`: countries, coordination groups,
homogeneous groups with profiles and criteria in English, French and Portuguese over every
component of the current grid and every network question.

The texts come from a phrase bank (per component and language: a few noun phrases and several
phrasings per question) varied with qualifiers, openings, combinations and small slips, so that
a text model can learn which component a text belongs to without finding exact copies; about 5%
are generic ("A good life") and classified under a general x00 component, as classifiers do.

Everything drawn depends on the seed only, never on what the database holds, so two runs with
the same seed write the same network. Rows are written with bulk_create (a whole run is one
transaction): 100,000 criteria take seconds, not minutes. Generated coordination groups are
recognised by their slug ("demo-…") and network id ("GC0…", below the range network_id_next
hands out, so real groups never follow demo numbers).
"""

import datetime as dt
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from criteria.models import Classification, Component, Criterion, Question
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Membership,
    Profile,
    Region,
)
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Space

DEMO_SLUG_PREFIX = "demo-"
# GC0 + five digits: valid network ids (GC + 4 to 10 digits) numerically below 100000, where
# network_id_next starts, so demo groups never shift the numbering of real ones.
DEMO_NETWORK_ID_PREFIX = "GC0"
DEMO_FACILITATOR = "facilitator"  # the demo login of seed_demo, when it exists
FACILITATED_GROUPS = 5
BATCH_SIZE = 2000
FLUSH_EVERY = 10_000
FIRST_DAY = dt.date(2019, 1, 1)
# The last session date: recent, yet early enough that everything dated after it (entry, then
# classification up to two months later) is in the past, so the data never depend on the day
# they are generated.
LAST_DAY = dt.date(2026, 9, 15)
LANGUAGES = ("en", "fr", "pt")

# --- The phrase bank ----------------------------------------------------------------------------
#
# Per component and language: (noun phrases, Q1 well-being, Q2 ill-being, Q3 what I do or could
# do), each a "|"-separated list. Q3 phrasings start with a verb (gerund in English, infinitive
# in French and Portuguese) so that openings such as "I could start …" fit them. Noun phrases go
# into the sentence frames of FRAMES; those frames take a direct object (or "pour", "sans",
# "com", "para") so that an article never needs contracting.

_BANK: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "A00": {
        "en": (
            "the means to live|basic needs|a decent standard of living|the essentials",
            "Having what you need to live|Not lacking anything essential|Living without poverty"
            "|Having enough to get by",
            "Poverty|Lacking the basics|Living in poverty|Not having enough to live on",
            "Sharing what I have with those in need|Supporting families who lack the basics"
            "|Fighting poverty in my area",
        ),
        "fr": (
            "les moyens de vivre|le nécessaire|une vie digne|l'essentiel",
            "Avoir de quoi vivre|Ne manquer de rien d'essentiel|Vivre sans pauvreté",
            "La pauvreté|Manquer du minimum|Ne pas avoir de quoi vivre",
            "Partager ce que j'ai avec ceux qui manquent de tout"
            "|Soutenir les familles en difficulté|Lutter contre la pauvreté dans mon quartier",
        ),
        "pt": (
            "os meios para viver|o essencial|uma vida digna|o necessário",
            "Ter o necessário para viver|Não faltar nada de essencial|Viver sem pobreza",
            "A pobreza|Faltar o mínimo|Não ter com que viver",
            "Partilhar o que tenho com quem precisa|Apoiar as famílias carenciadas"
            "|Lutar contra a pobreza no bairro",
        ),
    },
    "A01": {
        "en": (
            "healthy food|fresh vegetables|a good meal|clean drinking water",
            "Eating well every day|Having enough food for the whole family"
            "|Sharing a good meal with friends",
            "Going hungry at the end of the month|Food that is too expensive"
            "|Not being able to feed my children properly",
            "Cooking for a neighbour who lives alone|Growing vegetables in the shared garden"
            "|Giving food to the food bank",
        ),
        "fr": (
            "une alimentation saine|des légumes frais|un bon repas|de l'eau potable",
            "Bien manger tous les jours|Avoir assez à manger pour toute la famille"
            "|Partager un bon repas entre amis",
            "Avoir faim à la fin du mois|La nourriture trop chère"
            "|Ne pas pouvoir nourrir correctement mes enfants",
            "Cuisiner pour une voisine qui vit seule|Cultiver des légumes au jardin partagé"
            "|Donner de la nourriture à la banque alimentaire",
        ),
        "pt": (
            "uma alimentação saudável|legumes frescos|uma boa refeição|água potável",
            "Comer bem todos os dias|Ter comida suficiente para a família"
            "|Partilhar uma boa refeição com os amigos",
            "Passar fome no fim do mês|A comida cara demais"
            "|Não conseguir alimentar bem os meus filhos",
            "Cozinhar para uma vizinha que vive sozinha|Cultivar legumes na horta comunitária"
            "|Dar comida ao banco alimentar",
        ),
    },
    "A02": {
        "en": (
            "a doctor nearby|good healthcare|affordable medicine|a hospital close to home",
            "Being able to see a doctor quickly|Getting the care I need"
            "|Having medicines that are reimbursed",
            "Waiting months for a medical appointment|Not being able to pay for medicine"
            "|The hospital is too far away",
            "Driving an elderly neighbour to the doctor|Volunteering at the health centre"
            "|Learning first aid",
        ),
        "fr": (
            "un médecin près de chez moi|des soins de qualité|des médicaments remboursés"
            "|un hôpital proche",
            "Pouvoir consulter un médecin rapidement|Être bien soigné|Avoir accès aux soins",
            "Attendre des mois pour un rendez-vous médical|Ne pas pouvoir payer ses médicaments"
            "|L'hôpital trop loin",
            "Accompagner un voisin âgé chez le médecin|Faire du bénévolat au centre de santé"
            "|Apprendre les gestes de premiers secours",
        ),
        "pt": (
            "um médico perto de casa|cuidados de saúde de qualidade|medicamentos baratos"
            "|um hospital perto",
            "Poder ir ao médico rapidamente|Ser bem tratado no centro de saúde"
            "|Ter acesso aos cuidados de saúde",
            "Esperar meses por uma consulta|Não ter dinheiro para os medicamentos"
            "|O hospital fica muito longe",
            "Levar um vizinho idoso ao médico|Fazer voluntariado no centro de saúde"
            "|Aprender primeiros socorros",
        ),
    },
    "A03": {
        "en": (
            "a decent home|a warm flat|affordable rent|a roof over my head",
            "Having a home of my own|Living in a warm and dry house|Paying a fair rent",
            "Not being able to pay the rent|Living in a damp flat|Being evicted from my home",
            "Helping a family find somewhere to live|Insulating my house"
            "|Repairing the neighbours' doors and windows",
        ),
        "fr": (
            "un logement décent|un appartement chauffé|un loyer abordable|un toit",
            "Avoir un chez-soi|Vivre dans un logement sain et chauffé|Payer un loyer raisonnable",
            "Ne pas pouvoir payer le loyer|Vivre dans un logement humide"
            "|Être expulsé de son logement",
            "Aider une famille à trouver un logement|Isoler ma maison"
            "|Réparer les fenêtres des voisins",
        ),
        "pt": (
            "uma casa digna|uma casa quente|uma renda acessível|um teto",
            "Ter uma casa minha|Viver numa casa quente e sem humidade|Pagar uma renda justa",
            "Não conseguir pagar a renda|Viver numa casa com humidade|Ser despejado de casa",
            "Ajudar uma família a encontrar casa|Isolar a minha casa"
            "|Arranjar as janelas dos vizinhos",
        ),
    },
    "A04": {
        "en": (
            "warm clothes|good shoes|clothes for school|a winter coat",
            "Being well dressed|Having clothes that fit|Buying new shoes for the children",
            "Not having a warm coat in winter|Wearing worn-out clothes"
            "|Children ashamed of their clothes",
            "Giving clothes I no longer wear|Mending clothes instead of throwing them away"
            "|Organising a clothes swap",
        ),
        "fr": (
            "des vêtements chauds|de bonnes chaussures|des habits pour l'école|un manteau d'hiver",
            "Être bien habillé|Avoir des vêtements à sa taille"
            "|Acheter des chaussures neuves aux enfants",
            "Ne pas avoir de manteau chaud l'hiver|Porter des vêtements usés"
            "|Des enfants qui ont honte de leurs habits",
            "Donner les vêtements que je ne porte plus|Réparer les habits au lieu de les jeter"
            "|Organiser une bourse aux vêtements",
        ),
        "pt": (
            "roupa quente|bons sapatos|roupa para a escola|um casaco de inverno",
            "Andar bem vestido|Ter roupa do meu tamanho|Comprar sapatos novos para as crianças",
            "Não ter um casaco quente no inverno|Usar roupa gasta"
            "|Crianças com vergonha da roupa que vestem",
            "Dar a roupa que já não uso|Arranjar a roupa em vez de a deitar fora"
            "|Organizar uma troca de roupa",
        ),
    },
    "A05": {
        "en": (
            "a good school|free training|qualified teachers|evening classes",
            "Going to a good school|Learning new things all my life|Having teachers who listen",
            "Dropping out of school|Classes that are too crowded"
            "|Not being able to pay for training",
            "Helping children with their homework|Teaching reading to adults|Going back to school",
        ),
        "fr": (
            "une bonne école|une formation gratuite|des enseignants formés|des cours du soir",
            "Aller dans une bonne école|Apprendre toute sa vie|Avoir des professeurs à l'écoute",
            "Le décrochage scolaire|Des classes surchargées|Ne pas pouvoir payer une formation",
            "Aider les enfants à faire leurs devoirs"
            "|Donner des cours de français aux nouveaux arrivants|Reprendre mes études",
        ),
        "pt": (
            "uma boa escola|formação gratuita|professores qualificados|aulas à noite",
            "Andar numa boa escola|Aprender ao longo da vida|Ter professores que ouvem os alunos",
            "O abandono escolar|Turmas com alunos a mais|Não ter dinheiro para a formação",
            "Ajudar as crianças com os trabalhos de casa|Ensinar a ler aos adultos"
            "|Voltar a estudar",
        ),
    },
    "A06": {
        "en": (
            "a stable job|decent work|a permanent contract|a job that pays enough",
            "Having a job that pays enough|Finding work close to home|Doing a job I like",
            "Being unemployed for a long time|Losing my job|Precarious short contracts",
            "Helping young people write their CV|Sharing job offers with my neighbours"
            "|Hiring people from the neighbourhood",
        ),
        "fr": (
            "un emploi stable|un travail décent|un CDI|un travail bien payé",
            "Avoir un travail qui paie assez|Trouver du travail près de chez moi"
            "|Faire un métier qui me plaît",
            "Être au chômage depuis longtemps|Perdre mon emploi|Les contrats précaires",
            "Aider les jeunes à écrire leur CV|Partager les offres d'emploi avec les voisins"
            "|Embaucher des gens du quartier",
        ),
        "pt": (
            "um emprego estável|trabalho digno|um contrato efetivo|um trabalho bem pago",
            "Ter um emprego que pague o suficiente|Encontrar trabalho perto de casa"
            "|Fazer um trabalho de que gosto",
            "Estar desempregado há muito tempo|Perder o emprego|Os contratos precários",
            "Ajudar os jovens a fazer o currículo"
            "|Partilhar ofertas de emprego com os vizinhos|Contratar pessoas do bairro",
        ),
    },
    "A07": {
        "en": (
            "a sports club|cultural activities|holidays|a library nearby",
            "Going on holiday once a year|Playing football with friends"
            "|Going to concerts and the cinema",
            "No leisure activities for young people|Not being able to afford holidays"
            "|The swimming pool has closed",
            "Coaching the children's football team|Organising a neighbourhood festival"
            "|Reading stories at the library",
        ),
        "fr": (
            "un club de sport|des activités culturelles|des vacances|une médiathèque",
            "Partir en vacances une fois par an|Jouer au foot avec les copains"
            "|Aller au cinéma et aux concerts",
            "Aucun loisir pour les jeunes|Ne pas pouvoir partir en vacances|La piscine qui a fermé",
            "Entraîner l'équipe de foot des enfants|Organiser une fête de quartier"
            "|Lire des histoires à la médiathèque",
        ),
        "pt": (
            "um clube desportivo|atividades culturais|férias|uma biblioteca perto",
            "Ir de férias uma vez por ano|Jogar à bola com os amigos|Ir a concertos e ao cinema",
            "Não haver atividades para os jovens|Não ter dinheiro para férias|A piscina fechou",
            "Treinar a equipa de futebol das crianças|Organizar uma festa no bairro"
            "|Ler histórias na biblioteca",
        ),
    },
    "A08": {
        "en": (
            "a decent income|money at the end of the month|a fair wage|savings",
            "Earning enough to live|Being able to save a little|Not counting every penny",
            "Prices going up all the time|Debts I cannot pay back"
            "|Running out of money before the end of the month",
            "Keeping a household budget|Joining a savings group|Buying second-hand to spend less",
        ),
        "fr": (
            "un revenu correct|de l'argent en fin de mois|un salaire juste|des économies",
            "Gagner assez pour vivre|Pouvoir mettre un peu d'argent de côté"
            "|Ne pas compter chaque centime",
            "Les prix qui augmentent sans arrêt|Des dettes que je ne peux pas rembourser"
            "|Ne plus avoir d'argent avant la fin du mois",
            "Tenir un budget familial|Participer à une tontine"
            "|Acheter d'occasion pour dépenser moins",
        ),
        "pt": (
            "um rendimento digno|dinheiro no fim do mês|um salário justo|poupanças",
            "Ganhar o suficiente para viver|Conseguir poupar um pouco"
            "|Não ter de contar cada cêntimo",
            "Os preços sempre a subir|Dívidas que não consigo pagar"
            "|Ficar sem dinheiro antes do fim do mês",
            "Fazer um orçamento familiar|Participar num grupo de poupança"
            "|Comprar em segunda mão para gastar menos",
        ),
    },
    "A09": {
        "en": (
            "home help|social support|help with paperwork|childcare",
            "Getting help at home when I am ill|Having a social worker who listens"
            "|Finding a nursery place",
            "Benefits that arrive too late|Being alone with my paperwork"
            "|No one to look after the children",
            "Doing the shopping for my elderly neighbour"
            "|Filling in forms for people who cannot read|Babysitting for a single mother",
        ),
        "fr": (
            "une aide à domicile|un accompagnement social|de l'aide pour les papiers"
            "|une place en crèche",
            "Être aidé à la maison quand je suis malade|Avoir une assistante sociale à l'écoute"
            "|Trouver une place en crèche",
            "Les aides qui arrivent trop tard|Être seul face aux démarches administratives"
            "|Personne pour garder les enfants",
            "Faire les courses pour ma voisine âgée"
            "|Remplir les papiers de ceux qui ne savent pas lire"
            "|Garder les enfants d'une maman seule",
        ),
        "pt": (
            "apoio domiciliário|acompanhamento social|ajuda com os papéis|uma vaga na creche",
            "Ter ajuda em casa quando estou doente|Ter uma assistente social que me ouve"
            "|Conseguir uma vaga na creche",
            "Os apoios que chegam tarde demais|Estar sozinho com a papelada"
            "|Não ter ninguém para ficar com as crianças",
            "Fazer as compras para a minha vizinha idosa|Preencher papéis para quem não sabe ler"
            "|Ficar com os filhos de uma mãe sozinha",
        ),
    },
    "A10": {
        "en": (
            "a regular bus|safe cycle lanes|cheap public transport|a driving licence",
            "Getting around easily|Having a bus every half hour|Cycling safely to work",
            "No bus on Sundays|Petrol that is too expensive|Being stuck at home without a car",
            "Car-sharing with colleagues|Giving lifts to people without a car"
            "|Cycling instead of driving",
        ),
        "fr": (
            "un bus régulier|des pistes cyclables sûres|des transports en commun pas chers"
            "|le permis de conduire",
            "Pouvoir se déplacer facilement|Avoir un bus toutes les demi-heures"
            "|Aller au travail à vélo en sécurité",
            "Pas de bus le dimanche|L'essence trop chère|Rester bloqué chez soi sans voiture",
            "Faire du covoiturage avec mes collègues"
            "|Emmener en voiture ceux qui n'en ont pas|Prendre le vélo au lieu de la voiture",
        ),
        "pt": (
            "um autocarro regular|ciclovias seguras|transportes públicos baratos"
            "|a carta de condução",
            "Poder deslocar-me facilmente|Ter autocarro de meia em meia hora"
            "|Ir de bicicleta para o trabalho em segurança",
            "Não haver autocarro ao domingo|A gasolina cara demais|Ficar preso em casa sem carro",
            "Partilhar o carro com os colegas|Dar boleia a quem não tem carro"
            "|Andar de bicicleta em vez de carro",
        ),
    },
    "A11": {
        "en": (
            "internet access|reliable information|a mobile phone|local news",
            "Having a good internet connection|Being well informed"
            "|Staying in touch with family abroad by phone",
            "Fake news on social media|No network in the village"
            "|Not understanding official letters",
            "Teaching older people to use a smartphone|Writing in the neighbourhood newsletter"
            "|Checking information before sharing it",
        ),
        "fr": (
            "un accès à internet|une information fiable|un téléphone portable"
            "|des nouvelles locales",
            "Avoir une bonne connexion internet|Être bien informé"
            "|Garder le contact avec la famille au pays par téléphone",
            "Les fausses informations sur les réseaux sociaux|Pas de réseau au village"
            "|Ne pas comprendre les courriers officiels",
            "Apprendre aux aînés à utiliser un smartphone|Écrire dans le journal du quartier"
            "|Vérifier une information avant de la partager",
        ),
        "pt": (
            "acesso à internet|informação fiável|um telemóvel|notícias locais",
            "Ter boa ligação à internet|Estar bem informado"
            "|Falar com a família emigrada pelo telefone",
            "As notícias falsas nas redes sociais|Não haver rede na aldeia"
            "|Não perceber as cartas oficiais",
            "Ensinar os mais velhos a usar o telemóvel|Escrever no jornal do bairro"
            "|Verificar uma notícia antes de a partilhar",
        ),
    },
    "B00": {
        "en": (
            "a pleasant neighbourhood|a nice place to live|a lively village|a well-kept town",
            "Living in a pleasant neighbourhood|Liking the place where I live"
            "|A village where life is good",
            "A run-down neighbourhood|Feeling isolated far from everything|A town that is dying",
            "Making my street more welcoming|Taking care of the place where I live"
            "|Welcoming newcomers to the village",
        ),
        "fr": (
            "un quartier agréable|un cadre de vie agréable|un village vivant"
            "|une ville bien entretenue",
            "Vivre dans un quartier agréable|Aimer l'endroit où j'habite"
            "|Un village où il fait bon vivre",
            "Un quartier à l'abandon|Se sentir isolé loin de tout|Une ville qui se meurt",
            "Rendre ma rue plus accueillante|Prendre soin de l'endroit où je vis"
            "|Accueillir les nouveaux habitants du village",
        ),
        "pt": (
            "um bairro agradável|um sítio bom para viver|uma aldeia com vida"
            "|uma cidade bem cuidada",
            "Viver num bairro agradável|Gostar do sítio onde moro|Uma aldeia onde se vive bem",
            "Um bairro abandonado|Sentir-me isolado longe de tudo|Uma cidade que está a morrer",
            "Tornar a minha rua mais acolhedora|Cuidar do sítio onde vivo"
            "|Receber bem os novos moradores da aldeia",
        ),
    },
    "B01": {
        "en": (
            "clean air|clean streets|a quiet street|less noise",
            "Breathing clean air|Living in a clean street|Peace and quiet at night",
            "Rubbish left in the street|Noise from the traffic|Air pollution from the factory",
            "Picking up litter in the park|Sorting my waste|Not making noise late at night",
        ),
        "fr": (
            "un air pur|des rues propres|une rue calme|moins de bruit",
            "Respirer un air pur|Vivre dans une rue propre|Le calme la nuit",
            "Les déchets laissés dans la rue|Le bruit de la circulation|La pollution de l'usine",
            "Ramasser les déchets dans le parc|Trier mes déchets"
            "|Ne pas faire de bruit tard le soir",
        ),
        "pt": (
            "ar puro|ruas limpas|uma rua sossegada|menos barulho",
            "Respirar ar puro|Viver numa rua limpa|O sossego à noite",
            "O lixo deixado na rua|O barulho do trânsito|A poluição da fábrica",
            "Apanhar o lixo no parque|Separar o lixo|Não fazer barulho à noite",
        ),
    },
    "B02": {
        "en": (
            "good roads|running water|street lighting|reliable electricity",
            "Roads without potholes|Having running water at home"
            "|Streets that are well lit at night",
            "Power cuts every week|No pavement to walk safely|Water cuts in summer",
            "Reporting broken street lamps to the town hall|Helping to repair the village well"
            "|Cleaning the drains before the rains",
        ),
        "fr": (
            "des routes en bon état|l'eau courante|l'éclairage public|une électricité fiable",
            "Des routes sans nids-de-poule|Avoir l'eau courante à la maison"
            "|Des rues bien éclairées la nuit",
            "Les coupures d'électricité chaque semaine|Pas de trottoir pour marcher en sécurité"
            "|Les coupures d'eau en été",
            "Signaler les lampadaires cassés à la mairie|Aider à réparer le puits du village"
            "|Nettoyer les caniveaux avant la saison des pluies",
        ),
        "pt": (
            "estradas em bom estado|água canalizada|iluminação pública|eletricidade sem cortes",
            "Estradas sem buracos|Ter água canalizada em casa|Ruas bem iluminadas à noite",
            "Os cortes de luz todas as semanas|Não haver passeios para andar em segurança"
            "|Os cortes de água no verão",
            "Avisar a câmara dos candeeiros avariados|Ajudar a arranjar o poço da aldeia"
            "|Limpar as valetas antes das chuvas",
        ),
    },
    "B03": {
        "en": (
            "a square to meet|benches in the street|a community hall|a playground",
            "Having places to meet in the neighbourhood|A square where people talk"
            "|A playground for the children",
            "Nowhere to meet in the evening|The community hall is always closed"
            "|Empty streets with no benches",
            "Opening my garden to the neighbours|Running a café in the community hall"
            "|Painting the benches in the square",
        ),
        "fr": (
            "une place pour se retrouver|des bancs dans la rue|une salle des fêtes"
            "|une aire de jeux",
            "Avoir des lieux de rencontre dans le quartier|Une place où les gens se parlent"
            "|Une aire de jeux pour les enfants",
            "Aucun endroit pour se retrouver le soir|La salle de quartier toujours fermée"
            "|Des rues vides sans bancs",
            "Ouvrir mon jardin aux voisins"
            "|Tenir un café associatif dans la salle du quartier"
            "|Repeindre les bancs de la place",
        ),
        "pt": (
            "uma praça para conviver|bancos na rua|um salão comunitário|um parque infantil",
            "Ter sítios para conviver no bairro|Uma praça onde as pessoas conversam"
            "|Um parque infantil para as crianças",
            "Não haver sítio para estar à noite|O salão da associação sempre fechado"
            "|Ruas vazias sem bancos",
            "Abrir o meu quintal aos vizinhos|Fazer um café convívio no salão"
            "|Pintar os bancos da praça",
        ),
    },
    "B04": {
        "en": (
            "a park nearby|green spaces|trees in the street|a garden",
            "Walking in the park|Having trees and flowers around"
            "|Being close to the sea and the mountains",
            "No green spaces in the neighbourhood|Trees cut down for car parks|Concrete everywhere",
            "Planting trees with the school|Looking after the shared garden"
            "|Taking the children into the forest",
        ),
        "fr": (
            "un parc à côté|des espaces verts|des arbres dans la rue|un jardin",
            "Me promener dans le parc|Avoir des arbres et des fleurs autour de moi"
            "|Être près de la mer et de la montagne",
            "Pas d'espaces verts dans le quartier|Des arbres abattus pour faire des parkings"
            "|Du béton partout",
            "Planter des arbres avec l'école|M'occuper du jardin partagé"
            "|Emmener les enfants en forêt",
        ),
        "pt": (
            "um jardim perto|espaços verdes|árvores na rua|uma horta",
            "Passear no jardim|Ter árvores e flores à volta|Estar perto do mar e da serra",
            "Não haver espaços verdes no bairro|Árvores cortadas para fazer estacionamento"
            "|Betão por todo o lado",
            "Plantar árvores com a escola|Cuidar do jardim comunitário|Levar as crianças ao campo",
        ),
    },
    "B05": {
        "en": (
            "safe streets|a police station nearby|security at night|safe roads for children",
            "Feeling safe in my street|Walking home at night without fear"
            "|Children going to school safely",
            "Burglaries in the building|Drug dealing at the bottom of the flats"
            "|Cars driving too fast near the school",
            "Keeping an eye on the neighbours' house when they are away"
            "|Walking the children to school in a group|Taking part in neighbourhood watch",
        ),
        "fr": (
            "des rues sûres|un commissariat proche|la sécurité la nuit"
            "|des trajets sûrs pour les enfants",
            "Me sentir en sécurité dans ma rue|Rentrer le soir sans avoir peur"
            "|Des enfants qui vont à l'école en sécurité",
            "Les cambriolages dans l'immeuble|Le trafic de drogue en bas des immeubles"
            "|Les voitures qui roulent trop vite devant l'école",
            "Surveiller la maison des voisins quand ils partent"
            "|Accompagner les enfants à l'école à plusieurs"
            "|Participer à la vigilance entre voisins",
        ),
        "pt": (
            "ruas seguras|uma esquadra perto|segurança à noite|caminhos seguros para as crianças",
            "Sentir-me seguro na minha rua|Voltar para casa à noite sem medo"
            "|As crianças irem para a escola em segurança",
            "Os assaltos no prédio|O tráfico de droga no bairro"
            "|Os carros que andam depressa à porta da escola",
            "Vigiar a casa dos vizinhos quando estão fora|Levar as crianças à escola em grupo"
            "|Participar na vigilância entre vizinhos",
        ),
    },
    "C00": {
        "en": (
            "good relations with institutions|organisations that listen"
            "|trust in organisations|cooperation between organisations",
            "Organisations that work together|Being treated well by institutions"
            "|Knowing who to turn to",
            "Being sent from one office to another|Organisations that do not talk to each other"
            "|Feeling ignored by every institution",
            "Bringing the organisations of the town around one table"
            "|Speaking up for residents in meetings with institutions"
            "|Explaining to people which office does what",
        ),
        "fr": (
            "de bonnes relations avec les institutions|des organismes à l'écoute"
            "|la confiance dans les organisations|la coopération entre les structures",
            "Des organismes qui travaillent ensemble|Être bien reçu par les institutions"
            "|Savoir à qui s'adresser",
            "Être renvoyé d'un bureau à l'autre|Des organismes qui ne se parlent pas"
            "|Se sentir ignoré par toutes les institutions",
            "Réunir les structures de la ville autour d'une table"
            "|Porter la parole des habitants auprès des institutions"
            "|Expliquer aux gens quel service fait quoi",
        ),
        "pt": (
            "boas relações com as instituições|organizações que nos ouvem"
            "|confiança nas instituições|cooperação entre as entidades",
            "Entidades que trabalham em conjunto|Ser bem atendido pelas instituições"
            "|Saber a quem me dirigir",
            "Ser mandado de um balcão para outro|Instituições que não falam umas com as outras"
            "|Sentir-me ignorado por todas as instituições",
            "Juntar as entidades da cidade à mesma mesa"
            "|Levar a voz dos moradores às instituições"
            "|Explicar às pessoas que serviço faz o quê",
        ),
    },
    "C01": {
        "en": (
            "a mayor who listens|honest authorities|a town hall open to residents|fair laws",
            "A mayor who listens to residents|Authorities that keep their promises"
            "|Being respected by the administration",
            "Corruption among officials|Politicians who only come before elections"
            "|Decisions taken without asking us",
            "Writing to the mayor about our problems|Attending the town council meetings"
            "|Voting in every election",
        ),
        "fr": (
            "un maire à l'écoute|des élus honnêtes|une mairie ouverte aux habitants"
            "|des lois justes",
            "Un maire qui écoute les habitants|Des élus qui tiennent leurs promesses"
            "|Être respecté par l'administration",
            "La corruption des élus|Les politiques qui ne viennent qu'avant les élections"
            "|Des décisions prises sans nous consulter",
            "Écrire au maire pour parler de nos problèmes|Assister au conseil municipal"
            "|Aller voter à chaque élection",
        ),
        "pt": (
            "um presidente da câmara que ouve|autoridades honestas"
            "|uma câmara aberta aos moradores|leis justas",
            "Um presidente da câmara que ouve os moradores"
            "|Autoridades que cumprem as promessas|Ser respeitado pela administração",
            "A corrupção dos políticos|Os políticos que só aparecem antes das eleições"
            "|Decisões tomadas sem nos perguntar",
            "Escrever à câmara sobre os nossos problemas"
            "|Ir às reuniões da assembleia municipal|Votar em todas as eleições",
        ),
    },
    "C02": {
        "en": (
            "a post office in the village|public services nearby|friendly counter staff"
            "|opening hours that suit workers",
            "Public services close to home|Staff at the counter who take time to explain"
            "|A post office that stays open",
            "The post office has closed|Everything has to be done online"
            "|Queuing for hours at the town hall",
            "Thanking the staff of the public services|Helping people with online procedures"
            "|Defending the village school against closure",
        ),
        "fr": (
            "une poste au village|des services publics de proximité|des guichets accueillants"
            "|des horaires adaptés",
            "Des services publics près de chez soi"
            "|Des agents au guichet qui prennent le temps d'expliquer"
            "|Un bureau de poste qui reste ouvert",
            "La poste qui a fermé|Tout doit se faire en ligne"
            "|Faire la queue des heures à la mairie",
            "Remercier les agents des services publics"
            "|Aider les gens dans les démarches en ligne"
            "|Défendre l'école du village contre la fermeture",
        ),
        "pt": (
            "um posto dos correios na aldeia|serviços públicos perto"
            "|funcionários simpáticos ao balcão|horários adaptados",
            "Serviços públicos perto de casa|Funcionários ao balcão que explicam com calma"
            "|Uns correios que continuam abertos",
            "Os correios fecharam|Ter de tratar de tudo pela internet"
            "|Esperar horas na fila da câmara",
            "Agradecer aos funcionários dos serviços públicos"
            "|Ajudar as pessoas nos serviços online"
            "|Defender a escola da aldeia contra o encerramento",
        ),
    },
    "C03": {
        "en": (
            "local shops|fair employers|a bakery in the village|firms that respect workers",
            "An employer who respects the staff|Shops in the village centre"
            "|Companies that hire locally",
            "The factory relocating abroad|Bosses who do not pay overtime"
            "|The last shop in the village has closed",
            "Buying from local shops|Talking with my boss about working conditions"
            "|Creating a small business in the neighbourhood",
        ),
        "fr": (
            "des commerces de proximité|des employeurs justes|une boulangerie au village"
            "|des entreprises qui respectent les salariés",
            "Un patron qui respecte ses salariés|Des commerces au centre du village"
            "|Des entreprises qui embauchent sur place",
            "L'usine qui part à l'étranger"
            "|Des patrons qui ne paient pas les heures supplémentaires"
            "|Le dernier commerce du village a fermé",
            "Acheter chez les commerçants du quartier"
            "|Parler des conditions de travail avec mon patron"
            "|Créer une petite entreprise dans le quartier",
        ),
        "pt": (
            "o comércio local|patrões justos|uma padaria na aldeia"
            "|empresas que respeitam os trabalhadores",
            "Um patrão que respeita os trabalhadores|Lojas no centro da aldeia"
            "|Empresas que contratam gente da terra",
            "A fábrica que se mudou para o estrangeiro|Patrões que não pagam as horas extra"
            "|A última loja da aldeia fechou",
            "Comprar no comércio do bairro|Falar com o patrão sobre as condições de trabalho"
            "|Criar um pequeno negócio no bairro",
        ),
    },
    "C04": {
        "en": (
            "active associations|a residents' association|local clubs|volunteers",
            "Belonging to an association|Associations that bring people together"
            "|A strong residents' association",
            "Associations losing their funding|No volunteers left in the clubs"
            "|Associations that compete instead of cooperating",
            "Joining the residents' association|Volunteering two hours a week"
            "|Creating an association for young people",
        ),
        "fr": (
            "des associations actives|un comité de quartier|des clubs locaux|des bénévoles",
            "Faire partie d'une association|Des associations qui rassemblent les gens"
            "|Un comité de quartier dynamique",
            "Les associations qui perdent leurs subventions|Plus de bénévoles dans les clubs"
            "|Des associations qui se font concurrence",
            "Rejoindre le comité de quartier|Être bénévole deux heures par semaine"
            "|Créer une association pour les jeunes",
        ),
        "pt": (
            "associações ativas|uma associação de moradores|coletividades locais|voluntários",
            "Fazer parte de uma associação|Associações que juntam as pessoas"
            "|Uma associação de moradores ativa",
            "As associações que perdem os apoios|Já não haver voluntários nas coletividades"
            "|Associações que competem em vez de cooperar",
            "Entrar na associação de moradores|Fazer voluntariado duas horas por semana"
            "|Criar uma associação para os jovens",
        ),
    },
    "C05": {
        "en": (
            "a say in decisions|citizen participation|a participatory budget|public consultations",
            "Having a say in what happens in my town|Being consulted before decisions"
            "|Taking part in the participatory budget",
            "Our opinion never counts|Consultations that are only for show"
            "|Not being allowed to vote",
            "Going to public meetings|Proposing a project to the participatory budget"
            "|Encouraging young people to vote",
        ),
        "fr": (
            "la participation aux décisions|la démocratie locale|un budget participatif"
            "|des consultations publiques",
            "Avoir son mot à dire sur ce qui se passe dans ma ville"
            "|Être consulté avant les décisions|Participer au budget participatif",
            "Notre avis ne compte jamais|Des concertations pour la forme"
            "|Ne pas avoir le droit de vote",
            "Aller aux réunions publiques|Proposer un projet au budget participatif"
            "|Encourager les jeunes à voter",
        ),
        "pt": (
            "uma palavra nas decisões|a participação dos cidadãos|um orçamento participativo"
            "|consultas públicas",
            "Ter uma palavra a dizer sobre a minha cidade|Ser consultado antes das decisões"
            "|Participar no orçamento participativo",
            "A nossa opinião nunca conta|Consultas só para inglês ver|Não ter direito a votar",
            "Ir às reuniões públicas|Propor um projeto ao orçamento participativo"
            "|Incentivar os jovens a votar",
        ),
    },
    "D00": {
        "en": (
            "good relations with people|people around me|kind people|contact with others",
            "Getting on well with people|Having people around me|Meeting new people",
            "Being alone all the time|People who do not say hello|Quarrels all around",
            "Saying hello to everyone I meet|Inviting people over for coffee"
            "|Calling people I have not seen for a while",
        ),
        "fr": (
            "de bonnes relations avec les autres|du monde autour de moi|des gens gentils"
            "|le contact avec les autres",
            "Bien s'entendre avec les gens|Avoir du monde autour de moi"
            "|Rencontrer de nouvelles personnes",
            "Être seul tout le temps|Les gens qui ne disent pas bonjour|Les disputes autour de moi",
            "Dire bonjour à tous ceux que je croise|Inviter des gens à prendre un café"
            "|Appeler les personnes que je n'ai pas vues depuis longtemps",
        ),
        "pt": (
            "boas relações com as pessoas|gente à minha volta|pessoas simpáticas"
            "|o contacto com os outros",
            "Dar-me bem com as pessoas|Ter gente à minha volta|Conhecer pessoas novas",
            "Estar sempre sozinho|As pessoas que não cumprimentam|As zangas à minha volta",
            "Cumprimentar toda a gente|Convidar pessoas para um café"
            "|Telefonar a quem não vejo há muito tempo",
        ),
    },
    "D01": {
        "en": (
            "a united family|time with my children|my grandchildren|family meals",
            "Spending time with my family|Seeing my grandchildren grow up"
            "|A family that sticks together",
            "Arguments at home|Being far from my family|Children who no longer visit their parents",
            "Calling my parents every week|Cooking Sunday lunch for the whole family"
            "|Playing with my children every evening",
        ),
        "fr": (
            "une famille unie|du temps avec mes enfants|mes petits-enfants|les repas en famille",
            "Passer du temps en famille|Voir grandir mes petits-enfants|Une famille soudée",
            "Les disputes à la maison|Être loin de ma famille"
            "|Des enfants qui ne rendent plus visite à leurs parents",
            "Appeler mes parents chaque semaine"
            "|Préparer le repas du dimanche pour toute la famille"
            "|Jouer avec mes enfants tous les soirs",
        ),
        "pt": (
            "uma família unida|tempo com os meus filhos|os meus netos|as refeições em família",
            "Passar tempo com a família|Ver os meus netos crescer|Uma família unida",
            "As discussões em casa|Estar longe da família|Filhos que já não visitam os pais",
            "Telefonar aos meus pais todas as semanas"
            "|Fazer o almoço de domingo para a família toda"
            "|Brincar com os meus filhos todas as noites",
        ),
    },
    "D02": {
        "en": (
            "a loving partner|a happy marriage|love|a partner I can trust",
            "Living with someone I love|Being happy as a couple|Having a partner who supports me",
            "Divorce|Violence in the couple|Not finding love",
            "Taking time for my partner|Sharing the housework at home|Listening to my wife",
        ),
        "fr": (
            "un conjoint aimant|un couple heureux|l'amour|un compagnon de confiance",
            "Vivre avec quelqu'un que j'aime|Être heureux en couple"
            "|Avoir un conjoint qui me soutient",
            "Le divorce|Les violences dans le couple|Ne pas trouver l'amour",
            "Prendre du temps pour mon conjoint|Partager les tâches ménagères à la maison"
            "|Écouter ma femme",
        ),
        "pt": (
            "um companheiro carinhoso|um casamento feliz|o amor|alguém de confiança ao meu lado",
            "Viver com alguém que amo|Ser feliz a dois|Ter um companheiro que me apoia",
            "O divórcio|A violência no casal|Não encontrar o amor",
            "Ter tempo para o meu companheiro|Dividir as tarefas da casa|Ouvir a minha mulher",
        ),
    },
    "D03": {
        "en": (
            "true friends|a best friend|friendship|friends to laugh with",
            "Having friends I can count on|Going out with my friends|Laughing with friends",
            "Losing touch with my friends|Having no friends|False friends",
            "Making time for my friends|Helping a friend who is going through a hard time"
            "|Inviting my friends over",
        ),
        "fr": (
            "de vrais amis|une meilleure amie|l'amitié|des copains pour rigoler",
            "Avoir des amis sur qui compter|Sortir avec mes amis|Rire avec les copains",
            "Perdre le contact avec mes amis|Ne pas avoir d'amis|Les faux amis",
            "Prendre du temps pour mes amis"
            "|Aider un ami qui traverse une période difficile|Inviter mes amis à la maison",
        ),
        "pt": (
            "amigos verdadeiros|uma melhor amiga|a amizade|amigos para rir",
            "Ter amigos com quem posso contar|Sair com os meus amigos|Rir com os amigos",
            "Perder o contacto com os amigos|Não ter amigos|Os falsos amigos",
            "Arranjar tempo para os amigos|Ajudar um amigo que passa por um momento difícil"
            "|Convidar os amigos para minha casa",
        ),
    },
    "D04": {
        "en": (
            "good neighbours|neighbours who help|a friendly building|neighbourly relations",
            "Getting on well with my neighbours|Neighbours who say hello"
            "|Knowing the people in my building",
            "Conflicts with the neighbours|Not knowing anyone in my building"
            "|Neighbours who complain all the time",
            "Organising a neighbours' party"
            "|Watering the neighbours' plants when they are away"
            "|Bringing a cake to the new neighbours",
        ),
        "fr": (
            "de bons voisins|des voisins serviables|un immeuble convivial"
            "|des relations de voisinage",
            "Bien s'entendre avec ses voisins|Des voisins qui disent bonjour"
            "|Connaître les gens de mon immeuble",
            "Les conflits de voisinage|Ne connaître personne dans mon immeuble"
            "|Des voisins qui se plaignent sans arrêt",
            "Organiser la fête des voisins"
            "|Arroser les plantes des voisins quand ils partent"
            "|Apporter un gâteau aux nouveaux voisins",
        ),
        "pt": (
            "bons vizinhos|vizinhos prestáveis|um prédio simpático|a boa vizinhança",
            "Dar-me bem com os vizinhos|Vizinhos que cumprimentam"
            "|Conhecer as pessoas do meu prédio",
            "Os conflitos entre vizinhos|Não conhecer ninguém no prédio"
            "|Vizinhos que se queixam de tudo",
            "Organizar uma festa dos vizinhos"
            "|Regar as plantas dos vizinhos quando estão fora"
            "|Levar um bolo aos vizinhos novos",
        ),
    },
    "D05": {
        "en": (
            "good colleagues|a good atmosphere at work|a team spirit|classmates",
            "A good atmosphere at work|Colleagues who help each other"
            "|Getting on with my classmates",
            "Harassment at work|Colleagues who gossip|Being bullied at school",
            "Welcoming new colleagues|Having lunch with my team"
            "|Defending a classmate who is picked on",
        ),
        "fr": (
            "de bons collègues|une bonne ambiance au travail|l'esprit d'équipe"
            "|des camarades de classe",
            "Une bonne ambiance au travail|Des collègues qui s'entraident"
            "|Bien m'entendre avec mes camarades de classe",
            "Le harcèlement au travail|Les collègues qui font des commérages"
            "|Être harcelé à l'école",
            "Accueillir les nouveaux collègues|Déjeuner avec mon équipe"
            "|Défendre un camarade dont on se moque",
        ),
        "pt": (
            "bons colegas|um bom ambiente no trabalho|espírito de equipa|colegas de turma",
            "Um bom ambiente no trabalho|Colegas que se ajudam|Dar-me bem com os colegas de turma",
            "O assédio no trabalho|Os colegas que fazem intrigas|Sofrer bullying na escola",
            "Receber bem os novos colegas|Almoçar com a minha equipa"
            "|Defender um colega de quem gozam",
        ),
    },
    "D06": {
        "en": (
            "meetings between young and old|living together with other cultures"
            "|respect between generations|mixed neighbourhoods",
            "Young and old people doing things together|Living with people from other cultures"
            "|Learning from the elderly",
            "Young people who do not respect the elderly|Racism in the neighbourhood"
            "|Each community keeping to itself",
            "Sharing recipes from my country"
            "|Visiting the old people's home with the pupils"
            "|Learning the language of my neighbours",
        ),
        "fr": (
            "des rencontres entre jeunes et anciens|le vivre-ensemble entre cultures"
            "|le respect entre générations|des quartiers mélangés",
            "Des jeunes et des anciens qui font des choses ensemble"
            "|Vivre avec des gens d'autres cultures|Apprendre des anciens",
            "Les jeunes qui ne respectent pas les anciens|Le racisme dans le quartier"
            "|Chaque communauté qui reste dans son coin",
            "Partager des recettes de mon pays"
            "|Rendre visite à la maison de retraite avec les élèves"
            "|Apprendre la langue de mes voisins",
        ),
        "pt": (
            "encontros entre jovens e idosos|a convivência entre culturas"
            "|o respeito entre gerações|bairros misturados",
            "Jovens e idosos a fazer coisas juntos|Viver com pessoas de outras culturas"
            "|Aprender com os mais velhos",
            "Os jovens que não respeitam os idosos|O racismo no bairro"
            "|Cada comunidade fechada no seu canto",
            "Partilhar receitas da minha terra|Visitar o lar de idosos com os alunos"
            "|Aprender a língua dos meus vizinhos",
        ),
    },
    "E00": {
        "en": (
            "a society that holds together|social cohesion|a balanced society|living together",
            "A society where everyone has a place|People living together in harmony"
            "|A country that holds together",
            "A divided society|Everyone for himself|Society falling apart",
            "Building bridges between people"
            "|Working for a society where everyone has a place"
            "|Bringing people together across divides",
        ),
        "fr": (
            "une société soudée|la cohésion sociale|une société équilibrée|le vivre-ensemble",
            "Une société où chacun a sa place|Des gens qui vivent ensemble en harmonie|Un pays uni",
            "Une société divisée|Le chacun pour soi|La société qui se délite",
            "Créer des ponts entre les gens|Agir pour une société où chacun a sa place"
            "|Rassembler les gens au-delà des différences",
        ),
        "pt": (
            "uma sociedade unida|a coesão social|uma sociedade equilibrada|a convivência",
            "Uma sociedade onde todos têm lugar|Pessoas a viver juntas em harmonia|Um país unido",
            "Uma sociedade dividida|O cada um por si|A sociedade a desfazer-se",
            "Criar pontes entre as pessoas|Trabalhar por uma sociedade onde todos têm lugar"
            "|Juntar as pessoas apesar das diferenças",
        ),
    },
    "E01": {
        "en": (
            "equal rights|fair treatment|equality between women and men|justice",
            "Everyone having the same rights|Equal pay for women and men|Being treated fairly",
            "Inequalities between rich and poor|Discrimination at work|Injustice",
            "Standing up against discrimination|Treating everyone equally"
            "|Informing people about their rights",
        ),
        "fr": (
            "l'égalité des droits|un traitement équitable|l'égalité entre femmes et hommes"
            "|la justice",
            "Que tout le monde ait les mêmes droits"
            "|L'égalité de salaire entre femmes et hommes|Être traité avec justice",
            "Les inégalités entre riches et pauvres|Les discriminations à l'embauche|L'injustice",
            "Dénoncer les discriminations|Traiter tout le monde de la même façon"
            "|Informer les gens sur leurs droits",
        ),
        "pt": (
            "a igualdade de direitos|um tratamento justo|a igualdade entre mulheres e homens"
            "|a justiça",
            "Todos terem os mesmos direitos|Salário igual para mulheres e homens"
            "|Ser tratado com justiça",
            "As desigualdades entre ricos e pobres|A discriminação no trabalho|A injustiça",
            "Denunciar a discriminação|Tratar toda a gente da mesma maneira"
            "|Informar as pessoas sobre os seus direitos",
        ),
    },
    "E02": {
        "en": (
            "solidarity|mutual aid in society|support for the most vulnerable|generosity",
            "Solidarity between people|A society that takes care of the weakest"
            "|People helping each other in hard times",
            "Nobody cares about the poor|Selfishness"
            "|People sleeping in the street while others look away",
            "Giving to charities|Taking part in the food collection|Welcoming refugees",
        ),
        "fr": (
            "la solidarité|l'entraide dans la société|le soutien aux plus fragiles|la générosité",
            "La solidarité entre les gens|Une société qui prend soin des plus faibles"
            "|Des gens qui s'entraident dans les moments durs",
            "Personne ne se soucie des pauvres|L'égoïsme"
            "|Des gens qui dorment dehors et tout le monde détourne les yeux",
            "Donner à des associations caritatives|Participer à la collecte alimentaire"
            "|Accueillir des réfugiés",
        ),
        "pt": (
            "a solidariedade|a entreajuda na sociedade|o apoio aos mais frágeis|a generosidade",
            "A solidariedade entre as pessoas|Uma sociedade que cuida dos mais fracos"
            "|Pessoas que se ajudam nos momentos difíceis",
            "Ninguém se importa com os pobres|O egoísmo|Pessoas a dormir na rua e ninguém olha",
            "Dar a instituições de solidariedade|Participar na recolha de alimentos"
            "|Acolher refugiados",
        ),
    },
    "E03": {
        "en": (
            "shared values|honesty|good manners|respect for the rules",
            "Honesty between people|Respecting the rules of living together|Keeping one's word",
            "Lying and cheating|People who do not respect the rules|Loss of values",
            "Teaching good values to my children|Being honest in everything I do"
            "|Respecting the rules myself",
        ),
        "fr": (
            "des valeurs partagées|l'honnêteté|la politesse|le respect des règles",
            "L'honnêteté entre les gens|Respecter les règles du vivre-ensemble|Tenir sa parole",
            "Le mensonge et la triche|Les gens qui ne respectent pas les règles"
            "|La perte des valeurs",
            "Transmettre de bonnes valeurs à mes enfants"
            "|Être honnête dans tout ce que je fais|Respecter moi-même les règles",
        ),
        "pt": (
            "valores partilhados|a honestidade|a boa educação|o respeito pelas regras",
            "A honestidade entre as pessoas|Respeitar as regras da convivência"
            "|Cumprir a palavra dada",
            "A mentira e a batota|As pessoas que não respeitam as regras|A perda de valores",
            "Passar bons valores aos meus filhos|Ser honesto em tudo o que faço"
            "|Respeitar eu próprio as regras",
        ),
    },
    "E04": {
        "en": (
            "peace|harmony in the neighbourhood|calm between communities|a world without war",
            "Living in peace|No war in the world|Harmony between communities",
            "War|Violence in the streets|Riots and tensions in the neighbourhood",
            "Calming down conflicts between young people|Praying for peace"
            "|Mediating between neighbours who argue",
        ),
        "fr": (
            "la paix|l'harmonie dans le quartier|le calme entre les communautés"
            "|un monde sans guerre",
            "Vivre en paix|Pas de guerre dans le monde|L'harmonie entre les communautés",
            "La guerre|La violence dans la rue|Les émeutes et les tensions dans le quartier",
            "Apaiser les conflits entre les jeunes|Prier pour la paix"
            "|Jouer les médiateurs entre voisins qui se disputent",
        ),
        "pt": (
            "a paz|a harmonia no bairro|a calma entre comunidades|um mundo sem guerra",
            "Viver em paz|Não haver guerra no mundo|A harmonia entre as comunidades",
            "A guerra|A violência na rua|Os distúrbios e as tensões no bairro",
            "Acalmar os conflitos entre os jovens|Rezar pela paz"
            "|Fazer de mediador entre vizinhos zangados",
        ),
    },
    "E05": {
        "en": (
            "a future for our children|a planet for the next generations"
            "|a sustainable society|a livable world",
            "Leaving a good world to our grandchildren|Thinking about future generations"
            "|A future for young people",
            "What kind of world our children will inherit"
            "|Debts left to the next generations|No future for young people",
            "Teaching children to take care of the planet"
            "|Thinking of the next generations before I buy"
            "|Passing on what I know to young people",
        ),
        "fr": (
            "un avenir pour nos enfants|une planète pour les générations futures"
            "|une société durable|un monde vivable",
            "Laisser un monde meilleur à nos petits-enfants|Penser aux générations futures"
            "|Un avenir pour les jeunes",
            "Le monde que nous allons laisser à nos enfants"
            "|Les dettes laissées aux générations suivantes|Pas d'avenir pour les jeunes",
            "Apprendre aux enfants à prendre soin de la planète"
            "|Penser aux générations futures avant d'acheter"
            "|Transmettre mon savoir aux jeunes",
        ),
        "pt": (
            "um futuro para os nossos filhos|um planeta para as próximas gerações"
            "|uma sociedade sustentável|um mundo habitável",
            "Deixar um mundo melhor aos nossos netos|Pensar nas gerações futuras"
            "|Um futuro para os jovens",
            "O mundo que vamos deixar aos nossos filhos"
            "|As dívidas deixadas às próximas gerações|Não haver futuro para os jovens",
            "Ensinar as crianças a cuidar do planeta"
            "|Pensar nas próximas gerações antes de comprar|Passar o que sei aos jovens",
        ),
    },
    "F00": {
        "en": (
            "inner peace|balance in my life|a balanced life|peace of mind",
            "Being at peace with myself|Feeling balanced|Being well in my body and in my head",
            "Feeling off balance|Not feeling good about myself|Being overwhelmed",
            "Taking care of myself|Finding my balance|Listening to my body and my needs",
        ),
        "fr": (
            "la paix intérieure|l'équilibre dans ma vie|une vie équilibrée"
            "|la tranquillité d'esprit",
            "Être en paix avec moi-même|Me sentir équilibré"
            "|Être bien dans mon corps et dans ma tête",
            "Me sentir déséquilibré|Ne pas me sentir bien dans ma peau|Être débordé",
            "Prendre soin de moi|Trouver mon équilibre|Écouter mon corps et mes besoins",
        ),
        "pt": (
            "a paz interior|o equilíbrio na minha vida|uma vida equilibrada|a tranquilidade",
            "Estar em paz comigo mesmo|Sentir-me equilibrado|Estar bem de corpo e de cabeça",
            "Sentir-me desequilibrado|Não me sentir bem comigo mesmo|Andar sobrecarregado",
            "Cuidar de mim|Encontrar o meu equilíbrio|Ouvir o meu corpo e as minhas necessidades",
        ),
    },
    "F01": {
        "en": (
            "good health|a healthy body|energy|a good night's sleep",
            "Being in good health|Sleeping well|Having the energy to do things",
            "Being ill|Back pain that never stops|A disability that keeps me at home",
            "Walking every day|Eating less sugar|Giving up smoking",
        ),
        "fr": (
            "une bonne santé|un corps en forme|de l'énergie|un bon sommeil",
            "Être en bonne santé|Bien dormir|Avoir de l'énergie pour faire des choses",
            "Être malade|Le mal de dos qui ne passe pas|Un handicap qui m'empêche de sortir",
            "Marcher tous les jours|Manger moins de sucre|Arrêter de fumer",
        ),
        "pt": (
            "boa saúde|um corpo saudável|energia|um bom sono",
            "Ter saúde|Dormir bem|Ter energia para fazer coisas",
            "Estar doente|As dores de costas que não passam|Uma deficiência que me prende em casa",
            "Caminhar todos os dias|Comer menos açúcar|Deixar de fumar",
        ),
    },
    "F02": {
        "en": (
            "peace of mind|less stress|mental health|a calm mind",
            "Not being stressed|Feeling calm inside|Good mental health",
            "Stress at work|Depression|Anxiety that keeps me awake at night",
            "Meditating every morning|Talking to someone when I feel bad|Taking breaks to relax",
        ),
        "fr": (
            "la sérénité|moins de stress|une bonne santé mentale|un esprit apaisé",
            "Ne pas être stressé|Me sentir calme intérieurement|Une bonne santé mentale",
            "Le stress au travail|La dépression|L'angoisse qui m'empêche de dormir",
            "Méditer chaque matin|Parler à quelqu'un quand ça ne va pas"
            "|Faire des pauses pour me détendre",
        ),
        "pt": (
            "a serenidade|menos stress|saúde mental|uma mente tranquila",
            "Não andar stressado|Sentir calma por dentro|Boa saúde mental",
            "O stress no trabalho|A depressão|A ansiedade que não me deixa dormir",
            "Meditar todas as manhãs|Falar com alguém quando me sinto mal"
            "|Fazer pausas para descansar",
        ),
    },
    "F03": {
        "en": (
            "freedom|independence|my own choices|freedom of speech",
            "Being free to make my own choices|Being independent|Saying what I think freely",
            "Depending on others for everything|Not being free to go out"
            "|Being controlled by my family",
            "Learning to do things on my own|Letting my children make their own choices"
            "|Getting my driving licence to be independent",
        ),
        "fr": (
            "la liberté|l'autonomie|mes propres choix|la liberté d'expression",
            "Être libre de faire mes choix|Être autonome|Dire librement ce que je pense",
            "Dépendre des autres pour tout|Ne pas être libre de sortir"
            "|Être contrôlé par ma famille",
            "Apprendre à me débrouiller seul|Laisser mes enfants faire leurs choix"
            "|Passer mon permis pour être autonome",
        ),
        "pt": (
            "a liberdade|a independência|as minhas próprias escolhas|a liberdade de expressão",
            "Ser livre de fazer as minhas escolhas|Ser independente|Dizer livremente o que penso",
            "Depender dos outros para tudo|Não ter liberdade para sair|Ser controlado pela família",
            "Aprender a desenrascar-me sozinho|Deixar os meus filhos fazer as suas escolhas"
            "|Tirar a carta para ser independente",
        ),
    },
    "F04": {
        "en": (
            "self-confidence|recognition|respect for who I am|pride in my work",
            "Being recognised for what I do|Having confidence in myself|Being proud of my work",
            "Being looked down on|Feeling worthless|Nobody noticing my efforts",
            "Congratulating others on their work|Believing in myself"
            "|Encouraging young people to trust themselves",
        ),
        "fr": (
            "la confiance en soi|la reconnaissance|le respect de ce que je suis"
            "|la fierté de mon travail",
            "Être reconnu pour ce que je fais|Avoir confiance en moi|Être fier de mon travail",
            "Être regardé de haut|Me sentir nul|Personne ne remarque mes efforts",
            "Féliciter les autres pour leur travail|Croire en moi"
            "|Encourager les jeunes à avoir confiance en eux",
        ),
        "pt": (
            "a autoestima|o reconhecimento|o respeito por quem sou|o orgulho no meu trabalho",
            "Ser reconhecido pelo que faço|Ter confiança em mim|Ter orgulho no meu trabalho",
            "Ser olhado de cima|Sentir que não valho nada|Ninguém reparar no meu esforço",
            "Dar os parabéns aos outros pelo seu trabalho|Acreditar em mim"
            "|Encorajar os jovens a confiar em si",
        ),
    },
    "F05": {
        "en": (
            "meaning in life|faith|personal growth|a project of my own",
            "Giving meaning to my life|Growing as a person|Practising my faith",
            "Feeling that my life has no meaning|Having no goal|Not being able to follow my dreams",
            "Learning something new every year|Taking time to pray|Following my dreams",
        ),
        "fr": (
            "un sens à ma vie|la foi|l'épanouissement personnel|un projet à moi",
            "Donner un sens à ma vie|M'épanouir|Pratiquer ma foi",
            "Sentir que ma vie n'a pas de sens|Ne pas avoir de but"
            "|Ne pas pouvoir réaliser mes rêves",
            "Apprendre quelque chose de nouveau chaque année|Prendre le temps de prier"
            "|Suivre mes rêves",
        ),
        "pt": (
            "um sentido para a vida|a fé|o crescimento pessoal|um projeto meu",
            "Dar sentido à minha vida|Crescer como pessoa|Viver a minha fé",
            "Sentir que a vida não tem sentido|Não ter objetivos|Não poder realizar os meus sonhos",
            "Aprender algo novo todos os anos|Ter tempo para rezar|Seguir os meus sonhos",
        ),
    },
    "F06": {
        "en": (
            "free time|time for myself|a slower pace|a balance between work and family",
            "Having time for myself|Not rushing all the time|Balancing work and family life",
            "Always running out of time|Working too many hours|Long commutes that eat up my day",
            "Slowing down|Switching off my phone in the evening|Keeping Sunday for my family",
        ),
        "fr": (
            "du temps libre|du temps pour moi|un rythme plus calme"
            "|l'équilibre entre travail et famille",
            "Avoir du temps pour moi|Ne pas courir tout le temps"
            "|Concilier travail et vie de famille",
            "Toujours manquer de temps|Travailler trop d'heures"
            "|Les longs trajets qui mangent ma journée",
            "Ralentir|Éteindre mon téléphone le soir|Garder le dimanche pour ma famille",
        ),
        "pt": (
            "tempo livre|tempo para mim|um ritmo mais calmo|o equilíbrio entre trabalho e família",
            "Ter tempo para mim|Não andar sempre a correr|Conciliar o trabalho e a família",
            "Nunca ter tempo|Trabalhar horas a mais|As longas viagens que me comem o dia",
            "Abrandar|Desligar o telemóvel à noite|Guardar o domingo para a família",
        ),
    },
    "G00": {
        "en": (
            "good feelings|a good mood|a feeling of well-being|a light heart",
            "Feeling good|Being in a good mood|Feeling well in general",
            "Feeling bad|Being in a bad mood|Feeling unwell without knowing why",
            "Smiling more|Sharing my good mood|Paying attention to how others feel",
        ),
        "fr": (
            "de bons sentiments|la bonne humeur|un sentiment de bien-être|le cœur léger",
            "Me sentir bien|Être de bonne humeur|Me sentir bien en général",
            "Me sentir mal|Être de mauvaise humeur|Un mal-être sans savoir pourquoi",
            "Sourire davantage|Partager ma bonne humeur"
            "|Faire attention à ce que ressentent les autres",
        ),
        "pt": (
            "bons sentimentos|o bom humor|uma sensação de bem-estar|a boa disposição",
            "Sentir-me bem|Estar bem-disposto|Sentir-me bem no geral",
            "Sentir-me mal|Estar mal-disposto|Um mal-estar sem saber porquê",
            "Sorrir mais|Partilhar a minha boa disposição|Estar atento ao que os outros sentem",
        ),
    },
    "G01": {
        "en": (
            "happiness|joy|moments of joy|laughter",
            "Being happy|Laughing every day|The joy of little things",
            "Sadness|No more joy in life|Crying often",
            "Bringing joy to others|Celebrating birthdays together|Making people laugh",
        ),
        "fr": (
            "le bonheur|la joie|des moments de joie|les rires",
            "Être heureux|Rire tous les jours|La joie des petites choses",
            "La tristesse|Plus de joie de vivre|Pleurer souvent",
            "Apporter de la joie aux autres|Fêter les anniversaires ensemble|Faire rire les gens",
        ),
        "pt": (
            "a felicidade|a alegria|momentos de alegria|as gargalhadas",
            "Ser feliz|Rir todos os dias|A alegria das pequenas coisas",
            "A tristeza|Já não ter alegria de viver|Chorar muitas vezes",
            "Levar alegria aos outros|Festejar os aniversários juntos|Fazer rir as pessoas",
        ),
    },
    "G02": {
        "en": (
            "a life without fear|a life without worries|calm|reassurance",
            "Not being afraid|Living without worries|Feeling reassured",
            "Fear of being attacked|Being afraid of losing everything|Worrying all the time",
            "Reassuring people who are afraid|Facing my fears|Talking about what frightens us",
        ),
        "fr": (
            "une vie sans peur|une vie sans soucis|le calme|de quoi être rassuré",
            "Ne pas avoir peur|Vivre sans soucis|Me sentir rassuré",
            "La peur de me faire agresser|Avoir peur de tout perdre|S'inquiéter tout le temps",
            "Rassurer ceux qui ont peur|Affronter mes peurs|Parler de ce qui nous fait peur",
        ),
        "pt": (
            "uma vida sem medo|uma vida sem preocupações|a calma|alguma tranquilidade",
            "Não ter medo|Viver sem preocupações|Sentir-me tranquilo",
            "O medo de ser assaltado|Ter medo de perder tudo|Andar sempre preocupado",
            "Tranquilizar quem tem medo|Enfrentar os meus medos|Falar do que nos assusta",
        ),
    },
    "G03": {
        "en": (
            "trust|confidence in others|people I can trust|mutual trust",
            "Trusting the people around me|Being trusted|Having confidence in others",
            "Mistrust between people|Not trusting anyone any more|Being betrayed",
            "Keeping my promises|Giving people a second chance|Trusting young people",
        ),
        "fr": (
            "la confiance|la confiance dans les autres|des gens de confiance"
            "|une confiance mutuelle",
            "Faire confiance aux gens autour de moi|Qu'on me fasse confiance"
            "|Avoir confiance dans les autres",
            "La méfiance entre les gens|Ne plus faire confiance à personne|Être trahi",
            "Tenir mes promesses|Donner une deuxième chance aux gens|Faire confiance aux jeunes",
        ),
        "pt": (
            "a confiança|a confiança nos outros|pessoas de confiança|a confiança mútua",
            "Confiar nas pessoas à minha volta|Que confiem em mim|Ter confiança nos outros",
            "A desconfiança entre as pessoas|Já não confiar em ninguém|Ser traído",
            "Cumprir as minhas promessas|Dar uma segunda oportunidade às pessoas"
            "|Confiar nos jovens",
        ),
    },
    "G04": {
        "en": (
            "a calm future|hope|peace of mind about tomorrow|a secure retirement",
            "Being calm about the future|Having hope for tomorrow|Knowing my retirement is secure",
            "Not knowing what tomorrow will bring|Worrying about my children's future"
            "|Fear of old age",
            "Making plans for the future|Keeping hope|Preparing my retirement",
        ),
        "fr": (
            "un avenir serein|l'espoir|la sérénité face à demain|une retraite assurée",
            "Être serein face à l'avenir|Avoir de l'espoir pour demain"
            "|Savoir que ma retraite est assurée",
            "Ne pas savoir de quoi demain sera fait|M'inquiéter pour l'avenir de mes enfants"
            "|La peur de vieillir",
            "Faire des projets d'avenir|Garder espoir|Préparer ma retraite",
        ),
        "pt": (
            "um futuro tranquilo|a esperança|a serenidade quanto ao amanhã|uma reforma garantida",
            "Estar tranquilo quanto ao futuro|Ter esperança no amanhã"
            "|Saber que a minha reforma está garantida",
            "Não saber o que o amanhã trará|Preocupar-me com o futuro dos meus filhos"
            "|O medo de envelhecer",
            "Fazer planos para o futuro|Manter a esperança|Preparar a minha reforma",
        ),
    },
    "G05": {
        "en": (
            "a sense of belonging|a feeling of being useful|a place in the community"
            "|a role to play",
            "Feeling useful|Belonging to a community|Having my place in the village",
            "Feeling useless|Not belonging anywhere|Being excluded from the group",
            "Offering my skills to the community|Making newcomers feel they belong"
            "|Giving my time to others",
        ),
        "fr": (
            "un sentiment d'appartenance|le sentiment d'être utile|une place dans la communauté"
            "|un rôle à jouer",
            "Me sentir utile|Appartenir à une communauté|Avoir ma place dans le village",
            "Me sentir inutile|N'appartenir à aucun groupe|Être exclu du groupe",
            "Mettre mes compétences au service des autres"
            "|Faire en sorte que les nouveaux se sentent chez eux|Donner de mon temps",
        ),
        "pt": (
            "um sentimento de pertença|a sensação de ser útil|um lugar na comunidade"
            "|um papel a desempenhar",
            "Sentir-me útil|Pertencer a uma comunidade|Ter o meu lugar na aldeia",
            "Sentir-me inútil|Não pertencer a lado nenhum|Ser excluído do grupo",
            "Pôr as minhas capacidades ao serviço da comunidade"
            "|Fazer os recém-chegados sentirem-se em casa|Dar do meu tempo",
        ),
    },
    "H00": {
        "en": (
            "good attitudes|positive behaviour|initiative|a positive attitude",
            "People with a positive attitude|Everyone doing their best|People who take initiatives",
            "People who do nothing|Bad behaviour|Complaining without acting",
            "Doing my best every day|Changing my behaviour|Setting a good example",
        ),
        "fr": (
            "de bonnes attitudes|un comportement positif|l'esprit d'initiative"
            "|une attitude positive",
            "Des gens qui ont une attitude positive|Que chacun fasse de son mieux"
            "|Des gens qui prennent des initiatives",
            "Les gens qui ne font rien|Les mauvais comportements|Se plaindre sans agir",
            "Faire de mon mieux chaque jour|Changer mon comportement|Donner le bon exemple",
        ),
        "pt": (
            "boas atitudes|um comportamento positivo|a iniciativa|uma atitude positiva",
            "Pessoas com uma atitude positiva|Cada um fazer o seu melhor"
            "|Pessoas que tomam a iniciativa",
            "As pessoas que não fazem nada|Os maus comportamentos|Queixar-se sem agir",
            "Fazer o meu melhor todos os dias|Mudar o meu comportamento|Dar o bom exemplo",
        ),
    },
    "H01": {
        "en": (
            "respect|tolerance|respect for differences|politeness",
            "Being respected as I am|Tolerance towards others|Respecting differences",
            "Lack of respect|Intolerance|Being judged on my appearance",
            "Respecting other people's opinions|Not judging others|Accepting people as they are",
        ),
        "fr": (
            "le respect|la tolérance|le respect des différences|la politesse",
            "Être respecté tel que je suis|La tolérance envers les autres"
            "|Respecter les différences",
            "Le manque de respect|L'intolérance|Être jugé sur mon apparence",
            "Respecter l'opinion des autres|Ne pas juger les autres"
            "|Accepter les gens comme ils sont",
        ),
        "pt": (
            "o respeito|a tolerância|o respeito pelas diferenças|a educação",
            "Ser respeitado tal como sou|A tolerância para com os outros|Respeitar as diferenças",
            "A falta de respeito|A intolerância|Ser julgado pela aparência",
            "Respeitar a opinião dos outros|Não julgar os outros|Aceitar as pessoas como são",
        ),
    },
    "H02": {
        "en": (
            "responsibility|commitment|civic duty|a sense of responsibility",
            "Everyone taking responsibility|People who keep their commitments"
            "|Being responsible for my actions",
            "People who blame others for everything|Nobody feeling responsible"
            "|Irresponsible behaviour",
            "Taking my share of responsibility|Keeping my commitments"
            "|Getting involved in my neighbourhood",
        ),
        "fr": (
            "la responsabilité|l'engagement|le civisme|le sens des responsabilités",
            "Que chacun prenne ses responsabilités|Des gens qui tiennent leurs engagements"
            "|Être responsable de mes actes",
            "Les gens qui rejettent toujours la faute sur les autres"
            "|Personne ne se sent responsable|Les comportements irresponsables",
            "Prendre ma part de responsabilité|Tenir mes engagements|M'engager dans mon quartier",
        ),
        "pt": (
            "a responsabilidade|o compromisso|o civismo|o sentido de responsabilidade",
            "Cada um assumir as suas responsabilidades|Pessoas que cumprem os compromissos"
            "|Ser responsável pelos meus atos",
            "As pessoas que culpam sempre os outros|Ninguém se sentir responsável"
            "|Os comportamentos irresponsáveis",
            "Assumir a minha parte de responsabilidade|Cumprir os meus compromissos"
            "|Envolver-me no meu bairro",
        ),
    },
    "H03": {
        "en": (
            "mutual help|sharing|help between people|a helping hand",
            "Helping each other|Sharing what we have|Knowing I can ask for help",
            "People who never help|Nobody to ask for help|Not sharing",
            "Lending my tools to the neighbours|Helping my neighbour with shopping"
            "|Sharing my garden's harvest",
        ),
        "fr": (
            "l'entraide|le partage|l'aide entre les gens|un coup de main",
            "S'entraider|Partager ce qu'on a|Savoir que je peux demander de l'aide",
            "Les gens qui n'aident jamais|Personne à qui demander de l'aide|Ne pas partager",
            "Prêter mes outils aux voisins|Aider mon voisin à faire ses courses"
            "|Partager la récolte de mon jardin",
        ),
        "pt": (
            "a entreajuda|a partilha|a ajuda entre as pessoas|uma mão amiga",
            "Ajudar-nos uns aos outros|Partilhar o que temos|Saber que posso pedir ajuda",
            "As pessoas que nunca ajudam|Não ter a quem pedir ajuda|Não partilhar",
            "Emprestar as minhas ferramentas aos vizinhos"
            "|Ajudar o vizinho a fazer as compras|Partilhar o que colho na horta",
        ),
    },
    "H04": {
        "en": (
            "dialogue|listening|time to talk|open discussion",
            "Being listened to|Talking things through together|Open dialogue in the family",
            "Nobody listens to me|Not being able to talk about my problems"
            "|Discussions that always end in shouting",
            "Listening to others without interrupting"
            "|Taking time to talk with my teenagers"
            "|Starting a discussion group in the neighbourhood",
        ),
        "fr": (
            "le dialogue|l'écoute|du temps pour parler|une discussion ouverte",
            "Être écouté|Discuter ensemble des problèmes|Le dialogue dans la famille",
            "Personne ne m'écoute|Ne pas pouvoir parler de mes problèmes"
            "|Des discussions qui finissent en cris",
            "Écouter les autres sans les couper|Prendre le temps de parler avec mes ados"
            "|Lancer un groupe de parole dans le quartier",
        ),
        "pt": (
            "o diálogo|a escuta|tempo para conversar|uma conversa aberta",
            "Ser ouvido|Conversar sobre os problemas em conjunto|O diálogo na família",
            "Ninguém me ouve|Não poder falar dos meus problemas"
            "|Conversas que acabam sempre aos gritos",
            "Ouvir os outros sem interromper"
            "|Ter tempo para conversar com os meus filhos adolescentes"
            "|Criar um grupo de conversa no bairro",
        ),
    },
    "H05": {
        "en": (
            "citizen initiatives|local projects|taking part|new projects",
            "Taking part in projects for the neighbourhood|People who start new things"
            "|Being involved in local life",
            "Nobody takes the initiative|Good ideas that never happen"
            "|Staying at home doing nothing",
            "Starting a project with my neighbours|Taking part in the SPIRAL groups"
            "|Organising a clean-up day",
        ),
        "fr": (
            "des initiatives citoyennes|des projets locaux|la participation|de nouveaux projets",
            "Participer à des projets pour le quartier"
            "|Des gens qui lancent de nouvelles choses|Être impliqué dans la vie locale",
            "Personne ne prend d'initiative|Les bonnes idées qui ne se réalisent jamais"
            "|Rester chez soi à ne rien faire",
            "Monter un projet avec mes voisins|Participer aux groupes SPIRAL"
            "|Organiser une journée de nettoyage",
        ),
        "pt": (
            "iniciativas de cidadãos|projetos locais|a participação|novos projetos",
            "Participar em projetos para o bairro|Pessoas que começam coisas novas"
            "|Estar envolvido na vida local",
            "Ninguém tomar a iniciativa|As boas ideias que nunca avançam"
            "|Ficar em casa sem fazer nada",
            "Lançar um projeto com os vizinhos|Participar nos grupos SPIRAL"
            "|Organizar um dia de limpeza",
        ),
    },
    "I00": {
        "en": (
            "harmony with nature|respect for the planet|a healthy planet|contact with nature",
            "Living in harmony with nature|A planet in good health|Feeling close to nature",
            "The destruction of nature|People who do not respect the planet"
            "|Losing contact with nature",
            "Respecting nature in everything I do|Taking care of the planet"
            "|Passing on a love of nature",
        ),
        "fr": (
            "l'harmonie avec la nature|le respect de la planète|une planète en bonne santé"
            "|le contact avec la nature",
            "Vivre en harmonie avec la nature|Une planète en bonne santé"
            "|Me sentir proche de la nature",
            "La destruction de la nature|Les gens qui ne respectent pas la planète"
            "|Perdre le contact avec la nature",
            "Respecter la nature dans tout ce que je fais|Prendre soin de la planète"
            "|Transmettre l'amour de la nature",
        ),
        "pt": (
            "a harmonia com a natureza|o respeito pelo planeta|um planeta saudável"
            "|o contacto com a natureza",
            "Viver em harmonia com a natureza|Um planeta com saúde|Sentir-me perto da natureza",
            "A destruição da natureza|As pessoas que não respeitam o planeta"
            "|Perder o contacto com a natureza",
            "Respeitar a natureza em tudo o que faço|Cuidar do planeta|Passar o amor pela natureza",
        ),
    },
    "I01": {
        "en": (
            "less waste|energy savings|reusable things|a simpler way of life",
            "Consuming less and better|Wasting nothing|Living simply",
            "Overconsumption|Wasting water and energy|Everything thrown away after one use",
            "Turning off the lights when I leave a room|Repairing instead of buying new"
            "|Collecting rainwater for the garden",
        ),
        "fr": (
            "moins de gaspillage|des économies d'énergie|des objets réutilisables"
            "|un mode de vie plus simple",
            "Consommer moins et mieux|Ne rien gaspiller|Vivre simplement",
            "La surconsommation|Le gaspillage d'eau et d'énergie|Tout jeter après un seul usage",
            "Éteindre la lumière en quittant une pièce|Réparer au lieu d'acheter neuf"
            "|Récupérer l'eau de pluie pour le jardin",
        ),
        "pt": (
            "menos desperdício|poupança de energia|objetos reutilizáveis|uma vida mais simples",
            "Consumir menos e melhor|Não desperdiçar nada|Viver com simplicidade",
            "O consumo excessivo|O desperdício de água e energia"
            "|Deitar tudo fora depois de usar uma vez",
            "Apagar a luz ao sair de uma sala|Arranjar em vez de comprar novo"
            "|Aproveitar a água da chuva para a horta",
        ),
    },
    "I02": {
        "en": (
            "a stable climate|a low carbon footprint|clean energy|fewer greenhouse gases",
            "A climate that stays liveable|Using clean energy|Reducing our carbon footprint",
            "Heatwaves every summer|Droughts and floods|Climate change",
            "Flying less|Eating less meat for the climate|Putting solar panels on my roof",
        ),
        "fr": (
            "un climat stable|une faible empreinte carbone|une énergie propre"
            "|moins de gaz à effet de serre",
            "Un climat qui reste vivable|Utiliser une énergie propre"
            "|Réduire notre empreinte carbone",
            "Les canicules chaque été|Les sécheresses et les inondations|Le changement climatique",
            "Prendre moins l'avion|Manger moins de viande pour le climat"
            "|Installer des panneaux solaires sur mon toit",
        ),
        "pt": (
            "um clima estável|uma pegada de carbono baixa|energia limpa"
            "|menos gases com efeito de estufa",
            "Um clima que continue habitável|Usar energia limpa|Reduzir a nossa pegada de carbono",
            "As ondas de calor todos os verões|As secas e as cheias|As alterações climáticas",
            "Andar menos de avião|Comer menos carne pelo clima|Pôr painéis solares no telhado",
        ),
    },
    "I03": {
        "en": (
            "birds and bees|wild animals|biodiversity|living rivers",
            "Hearing the birds sing|Seeing bees in the garden|Clean rivers full of fish",
            "Disappearing insects|Pesticides in the fields|Animals being mistreated",
            "Building a nesting box for birds|Not using pesticides in my garden"
            "|Protecting the turtles on the beach",
        ),
        "fr": (
            "les oiseaux et les abeilles|les animaux sauvages|la biodiversité"
            "|des rivières vivantes",
            "Entendre chanter les oiseaux|Voir des abeilles au jardin"
            "|Des rivières propres pleines de poissons",
            "Les insectes qui disparaissent|Les pesticides dans les champs|Les animaux maltraités",
            "Fabriquer un nichoir pour les oiseaux|Ne pas utiliser de pesticides au jardin"
            "|Protéger les tortues sur la plage",
        ),
        "pt": (
            "os pássaros e as abelhas|os animais selvagens|a biodiversidade|rios cheios de vida",
            "Ouvir os pássaros a cantar|Ver abelhas no jardim|Rios limpos cheios de peixe",
            "Os insetos que desaparecem|Os pesticidas nos campos|Os animais maltratados",
            "Fazer um ninho para os pássaros|Não usar pesticidas na horta"
            "|Proteger as tartarugas na praia",
        ),
    },
}


@dataclass(frozen=True)
class Phrases:
    """One component's bank in one language."""

    nouns: tuple[str, ...]
    by_question: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


BANK: dict[str, dict[str, Phrases]] = {
    code: {
        language: Phrases(
            nouns=_split(cells[0]),
            by_question=(_split(cells[1]), _split(cells[2]), _split(cells[3])),
        )
        for language, cells in languages.items()
    }
    for code, languages in _BANK.items()
}

# Sentence frames for noun phrases, per language and question (Q1, Q2, Q3); "{N}" is the noun
# phrase with a capital.
FRAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Having {n}", "Access to {n}", "{N} for everyone", "{N}", "Being able to count on {n}"),
        ("Not having {n}", "Losing {n}", "Living without {n}", "Lack of {n}"),
        (
            "Standing up for {n}",
            "Helping others to have {n}",
            "Working with others for {n}",
            "Doing my part for {n}",
        ),
    ),
    "fr": (
        ("Avoir {n}", "Pouvoir compter sur {n}", "{N} pour tous", "{N}"),
        ("Ne pas avoir {n}", "Perdre {n}", "Vivre sans {n}", "Se retrouver sans {n}"),
        (
            "Agir pour {n}",
            "Aider les autres à avoir {n}",
            "Me mobiliser pour {n}",
            "Faire ma part pour {n}",
        ),
    ),
    "pt": (
        ("Ter {n}", "Poder contar com {n}", "{N} para todos", "{N}"),
        ("Não ter {n}", "Perder {n}", "Viver sem {n}", "Ficar sem {n}"),
        (
            "Ajudar os outros a ter {n}",
            "Fazer a minha parte para ter {n}",
            "Trabalhar com os vizinhos para ter {n}",
            "Defender {n} para todos",
        ),
    ),
}

# Openings per language and question; the phrase follows with a small first letter.
OPENINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("For me, ", "Well-being is ", "What matters: ", "To me: "),
        ("For me, ", "Ill-being is ", "What weighs on me: ", "The worst: "),
        ("I could start ", "We could go on ", "I keep on ", "Together: "),
    ),
    "fr": (
        ("Pour moi, ", "Le bien-être, c'est ", "Ce qui compte : ", "Pour moi : "),
        ("Pour moi, ", "Le mal-être, c'est ", "Ce qui me pèse : ", "Le pire : "),
        ("Je pourrais ", "On pourrait ", "Je continue à ", "Ensemble : "),
    ),
    "pt": (
        ("Para mim, ", "Bem-estar é ", "O que importa: ", "Para mim: "),
        ("Para mim, ", "Mal-estar é ", "O que me pesa: ", "O pior: "),
        ("Eu podia ", "Podíamos ", "Continuo a ", "Juntos: "),
    ),
}

QUALIFIERS: dict[str, tuple[str, ...]] = {
    "en": (
        "for everyone",
        "in our neighbourhood",
        "every day",
        "for my children",
        "here",
        "in our town",
        "for the elderly",
        "for young people",
        "at any age",
        "as a family",
        "close to home",
        "all year round",
    ),
    "fr": (
        "pour tous",
        "dans notre quartier",
        "au quotidien",
        "pour mes enfants",
        "ici",
        "dans notre ville",
        "pour les personnes âgées",
        "pour les jeunes",
        "à tout âge",
        "en famille",
        "près de chez moi",
        "toute l'année",
    ),
    "pt": (
        "para todos",
        "no nosso bairro",
        "todos os dias",
        "para os meus filhos",
        "aqui",
        "na nossa cidade",
        "para os idosos",
        "para os jovens",
        "em qualquer idade",
        "em família",
        "perto de casa",
        "durante todo o ano",
    ),
}
AND = {"en": " and ", "fr": " et ", "pt": " e "}

# Texts too general to point at one component; classifiers put them under an x00 component
# (the determination key's sixth rule), not always the same one.
GENERIC: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        _split(
            "Being well|A good life|Everything that makes life good|Living well|Life|Being fine"
        ),
        _split("Everything that goes wrong|A bad life|Ill-being|Life is hard|All the problems"),
        _split("Doing my best|Doing something|Acting|Doing my part|Doing good|Being a good person"),
    ),
    "fr": (
        _split("Être bien|Une bonne vie|Tout ce qui rend la vie belle|Bien vivre|La vie"),
        _split("Tout ce qui ne va pas|Une vie difficile|Le mal-être|La vie est dure|La misère"),
        _split("Faire de mon mieux|Faire quelque chose|Agir|Faire ma part|Faire le bien"),
    ),
    "pt": (
        _split("Estar bem|Uma vida boa|Tudo o que torna a vida boa|Viver bem|A vida"),
        _split("Tudo o que corre mal|Uma vida difícil|O mal-estar|A vida é dura|A miséria"),
        _split("Fazer o meu melhor|Fazer alguma coisa|Agir|Fazer a minha parte|Fazer o bem"),
    ),
}
GENERIC_COMPONENTS = (
    (("G00", 6), ("F00", 2), ("A00", 1), ("B00", 1)),  # Q1
    (("G00", 6), ("F00", 2), ("A00", 1), ("B00", 1)),  # Q2
    (("H00", 7), ("E00", 2), ("D00", 1)),  # Q3
)

# What a profile's groups talk about more than others.
PROFILE_TOPICS: dict[str, tuple[str, ...]] = {
    "young-people": ("A05", "A06", "A07", "D03", "F03", "A11"),
    "elderly-people": ("A02", "F01", "D01", "D06", "G04", "A09"),
    "unemployed-people": ("A06", "A08", "F04", "A00", "G04"),
    "women": ("E01", "B05", "F06", "D01", "A09"),
    "parents": ("D01", "A05", "A09", "B05", "E05"),
    "entrepreneurs": ("C03", "A06", "A08", "C02", "H05"),
    "elected-officials": ("C01", "C05", "C02", "E00", "H02"),
    "professionals": ("D05", "F06", "F02", "C03"),
    "pupils": ("A05", "D03", "D05", "A07", "F01"),
    "students": ("A05", "A08", "A03", "F05"),
    "migrants": ("E01", "D06", "C01", "A03", "A06"),
    "people-with-disabilities": ("A10", "B02", "F03", "C02", "A09"),
    "farmers": ("I03", "I02", "B04", "C03", "A08"),
    "residents": ("B00", "B01", "B03", "D04", "B05"),
}
QUESTION_SHARES = (40, 35, 25)  # Q1, Q2, Q3
STATUS_DISPUTED = 0.05
# Most groups are classified through; some recent ones still wait (15% unclassified overall).
UNCLASSIFIED_BY_GROUP = ((0.7, 0.08), (0.3, 0.31))
FULL_CODE_SHARE = 0.25
SENSES_BY_QUESTION = ("OQ", "RP", "SO")
BENEFICIARIES = ("i", "k", "f", "o", "a", "n")


# --- The network --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCountry:
    code: str
    name: str
    name_fr: str
    name_pt: str
    continent: str
    language: str
    weight: int
    # region → ((locality, latitude, longitude), ...)
    regions: dict[str, tuple[tuple[str, float, float], ...]]


COUNTRIES: tuple[DemoCountry, ...] = (
    DemoCountry(
        "FR",
        "France",
        "France",
        "França",
        "EU",
        "fr",
        30,
        {
            "Grand Est": (
                ("Mulhouse", 47.75, 7.34),
                ("Strasbourg", 48.58, 7.75),
                ("Colmar", 48.08, 7.36),
            ),
            "Hauts-de-France": (
                ("Wattrelos", 50.70, 3.22),
                ("Lille", 50.63, 3.06),
                ("Roubaix", 50.69, 3.18),
            ),
            "Île-de-France": (("Paris", 48.86, 2.35), ("Montreuil", 48.86, 2.44)),
            "Occitanie": (("Toulouse", 43.60, 1.44), ("Montpellier", 43.61, 3.88)),
        },
    ),
    DemoCountry(
        "BE",
        "Belgium",
        "Belgique",
        "Bélgica",
        "EU",
        "fr",
        12,
        {
            "Wallonia": (
                ("Charleroi", 50.41, 4.44),
                ("Namur", 50.47, 4.87),
                ("Liège", 50.63, 5.57),
            ),
            "Brussels-Capital": (("Brussels", 50.85, 4.35), ("Schaerbeek", 50.87, 4.38)),
        },
    ),
    DemoCountry(
        "PT",
        "Portugal",
        "Portugal",
        "Portugal",
        "EU",
        "pt",
        15,
        {
            "Lisbon": (
                ("Lisbon", 38.72, -9.14),
                ("Amadora", 38.75, -9.23),
                ("Almada", 38.68, -9.16),
            ),
            "Norte": (("Porto", 41.15, -8.61), ("Braga", 41.55, -8.42)),
            "Centro": (("Coimbra", 40.21, -8.43),),
        },
    ),
    DemoCountry(
        "IT",
        "Italy",
        "Italie",
        "Itália",
        "EU",
        "en",
        10,
        {
            "Piedmont": (("Turin", 45.07, 7.69),),
            "Sardinia": (("Cagliari", 39.22, 9.12),),
            "Lombardy": (("Milan", 45.46, 9.19), ("Bergamo", 45.70, 9.67)),
            "Lazio": (("Rome", 41.90, 12.50),),
        },
    ),
    DemoCountry(
        "CV",
        "Cape Verde",
        "Cap-Vert",
        "Cabo Verde",
        "AF",
        "pt",
        10,
        {
            "Santiago": (("Praia", 14.93, -23.51), ("Assomada", 15.10, -23.68)),
            "São Vicente": (("Mindelo", 16.89, -24.98),),
            "Fogo": (("São Filipe", 14.90, -24.50),),
        },
    ),
    DemoCountry(
        "MA",
        "Morocco",
        "Maroc",
        "Marrocos",
        "AF",
        "fr",
        8,
        {
            "Rabat-Salé-Kénitra": (("Rabat", 34.02, -6.84), ("Salé", 34.05, -6.80)),
            "Casablanca-Settat": (("Casablanca", 33.57, -7.59),),
            "Marrakech-Safi": (("Marrakech", 31.63, -8.01),),
        },
    ),
    DemoCountry(
        "RO",
        "Romania",
        "Roumanie",
        "Roménia",
        "EU",
        "en",
        7,
        {
            "Bucharest-Ilfov": (("Bucharest", 44.43, 26.10),),
            "Cluj": (("Cluj-Napoca", 46.77, 23.62),),
            "Iași": (("Iași", 47.16, 27.59),),
        },
    ),
    DemoCountry(
        "GA",
        "Gabon",
        "Gabon",
        "Gabão",
        "AF",
        "fr",
        8,
        {
            "Estuaire": (("Libreville", 0.39, 9.45), ("Owendo", 0.29, 9.50)),
            "Haut-Ogooué": (("Franceville", -1.63, 13.58),),
            "Ogooué-Maritime": (("Port-Gentil", -0.72, 8.78),),
        },
    ),
)

DISTRICTS: dict[str, tuple[str, ...]] = {
    "en": (
        "Centre",
        "North District",
        "Old Town",
        "Riverside",
        "Station District",
        "Hillside",
        "East End",
        "Harbour",
    ),
    "fr": (
        "Centre-ville",
        "Quartier Nord",
        "Vieille Ville",
        "Les Coteaux",
        "La Gare",
        "Le Port",
        "Les Jardins",
        "Quartier Sud",
    ),
    "pt": (
        "Centro",
        "Bairro Alto",
        "Zona Norte",
        "Vila Nova",
        "Ribeira",
        "Bairro da Estação",
        "Alto da Serra",
        "Zona Sul",
    ),
}
ACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("General hospital", "Hospital"),
        ("Primary school", "School"),
        ("Secondary school", "School"),
        ("Community centre", "Social centre"),
        ("Farmers' cooperative", "Cooperative"),
        ("Town hall staff", "Public administration"),
        ("Bus company", "Company"),
    ),
    "fr": (
        ("Hôpital", "Hospital"),
        ("École Jean Jaurès", "School"),
        ("Lycée Victor Hugo", "School"),
        ("Centre social", "Social centre"),
        ("Coopérative agricole", "Cooperative"),
        ("Services municipaux", "Public administration"),
        ("Entreprise de transports", "Company"),
    ),
    "pt": (
        ("Centro de Saúde", "Hospital"),
        ("Escola Básica", "School"),
        ("Escola Secundária", "School"),
        ("Centro Comunitário", "Social centre"),
        ("Cooperativa Agrícola", "Cooperative"),
        ("Serviços Municipais", "Public administration"),
        ("Empresa de Transportes", "Company"),
    ),
}


# --- Drawing texts ------------------------------------------------------------------------------


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decapitalise(text: str) -> str:
    """Lower the first letter unless it starts an acronym or is the English "I"."""
    first_word = text.split(" ", 1)[0]
    if first_word == "I" or first_word.startswith("I'") or text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _typo(rng: random.Random, text: str) -> str:
    """Swap two neighbouring letters in one longer word, as fast typing does."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _phrases(code: str, language: str, label: str) -> Phrases:
    """The bank of a component, or one made from its label when the bank lacks it (a grid
    version newer than the bank)."""
    bank = BANK.get(code, {})
    found = bank.get(language) or bank.get("en")
    if found is not None:
        return found
    noun = label.lower()
    return Phrases(nouns=(noun,), by_question=((label,), (label,), (label,)))


def criterion_text(
    rng: random.Random,
    *,
    code: str,
    question: int,
    language: str,
    label: str = "",
    other: tuple[str, str] | None = None,
) -> str:
    """A plausible criterion for component code answering question (0, 1, 2 for Q1–Q3) in
    language: a phrasing of the bank or a noun phrase in a sentence frame, then maybe joined
    with a phrase of other (code, label), given an opening or a qualifier, and slightly slipped.
    """
    phrases = _phrases(code, language, label)
    frames = FRAMES.get(language, FRAMES["en"])[question]
    noun_share = 0.35 if question == 2 else 0.45
    if phrases.nouns and rng.random() < noun_share:
        noun = rng.choice(phrases.nouns)
        text = rng.choice(frames).replace("{N}", _capitalise(noun)).replace("{n}", noun)
    else:
        text = rng.choice(phrases.by_question[question])
    if other is not None:
        second = rng.choice(_phrases(other[0], language, other[1]).by_question[question])
        text = f"{text}{AND.get(language, ' and ')}{_decapitalise(second)}"
    roll = rng.random()
    if roll < 0.18:
        opening = rng.choice(OPENINGS.get(language, OPENINGS["en"])[question])
        text = opening + _decapitalise(text)
    elif roll < 0.48:
        text = f"{text} {rng.choice(QUALIFIERS.get(language, QUALIFIERS['en']))}"
    return _slip(rng, text, language)


def _slip(rng: random.Random, text: str, language: str) -> str:
    """Small differences between people typing the same idea."""
    roll = rng.random()
    if roll < 0.10:
        text += "."
    elif roll < 0.13:
        text += "!"
    elif roll < 0.14:
        text += " ..."
    if rng.random() < 0.08:
        text = _decapitalise(text)
    if language != "en" and rng.random() < 0.04:
        text = _strip_accents(text)  # typed on a keyboard without accents
    if rng.random() < 0.02:
        text = _typo(rng, text)
    if rng.random() < 0.01:
        text = text.upper()  # copied from a sticky note written in capitals
    return text


def generic_text(rng: random.Random, *, question: int, language: str) -> tuple[str, str]:
    """A generic text and the general component a classifier would choose for it."""
    text = rng.choice(GENERIC.get(language, GENERIC["en"])[question])
    codes, weights = zip(*GENERIC_COMPONENTS[question], strict=True)
    return _slip(rng, text, language), rng.choices(codes, weights)[0]


def full_code(rng: random.Random, *, code: str, question: int) -> str:
    """A full code inside component code, cut at a random depth (any prefix is valid)."""
    obj = f"{code}-{rng.randint(1, 20)}"
    depth = rng.random()
    if depth < 0.4:
        return obj
    sense = rng.choice(SENSES_BY_QUESTION[question]) + str(rng.randint(1, 20))
    if depth < 0.7:
        return f"{obj}/{sense}"
    return f"{obj}/{sense}/{rng.choice(BENEFICIARIES)}"


# --- Planning (no database) ---------------------------------------------------------------------


@dataclass
class PlannedGroup:
    name: str
    profile_slug: str | None
    meeting_dates: list[dt.date]
    participants: int
    women: int
    men: int
    other: int
    size: int


@dataclass
class PlannedPlatform:
    index: int
    name: str
    kind: str
    actor_type: str
    country: DemoCountry
    region: str
    locality: str
    latitude: float
    longitude: float
    status: str
    start: dt.date
    groups: list[PlannedGroup] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.country.language


def _group_sizes(rng: random.Random, criteria: int) -> list[int]:
    """Criteria per homogeneous group, 20 to 120 each (one smaller group when fewer than 20)."""
    sizes: list[int] = []
    remaining = criteria
    while remaining > 0:
        if remaining <= 120:
            size = remaining
        else:
            size = round(rng.triangular(20, 120, 95))
            if remaining - size < 20:
                size = remaining - 20
        sizes.append(size)
        remaining -= size
    rng.shuffle(sizes)
    return sizes


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def plan_network(
    rng: random.Random,
    *,
    criteria: int,
    platforms: int | None,
    profiles: list[tuple[str, dict[str, str]]],
) -> list[PlannedPlatform]:
    """Coordination groups with their homogeneous groups and how many criteria each writes.

    profiles are (slug, {language: label}) pairs, in order.
    """
    sizes = _group_sizes(rng, criteria)
    if not sizes:
        return []
    # About four homogeneous groups per coordination group, and at least three coordination
    # groups so that even a small network speaks English, French and Portuguese.
    count = platforms or max(min(3, len(sizes)), round(len(sizes) / 4))
    count = max(1, min(count, len(sizes)))
    weights = [country.weight for country in COUNTRIES]
    first_languages = rng.sample(LANGUAGES, len(LANGUAGES))
    planned: list[PlannedPlatform] = []
    names: set[str] = set()
    for index in range(count):
        if index < len(first_languages):
            pool = [c for c in COUNTRIES if c.language == first_languages[index]]
            country = rng.choices(pool, [c.weight for c in pool])[0]
        else:
            country = rng.choices(COUNTRIES, weights)[0]
        region = rng.choice(list(country.regions))
        locality, latitude, longitude = rng.choice(country.regions[region])
        language = country.language
        # Territories are named after a district of their town, so that they never take the
        # plain town names real platforms (and seed_territories) use.
        districts = rng.sample(DISTRICTS[language], len(DISTRICTS[language]))
        if rng.random() < 0.22:
            actor, actor_type = rng.choice(ACTORS[language])
            candidates = [f"{actor}, {locality}"]
            candidates += [f"{actor}, {locality} – {district}" for district in districts]
            kind = CoordinationGroup.Kind.COLLECTIVE_ACTOR
        else:
            candidates = [f"{locality} – {district}" for district in districts]
            actor_type, kind = "", CoordinationGroup.Kind.TERRITORY
        name = next(
            (candidate for candidate in candidates if candidate not in names),
            f"{candidates[0]} {index + 1}",
        )
        names.add(name)
        start = _day_between(rng, FIRST_DAY, LAST_DAY - dt.timedelta(days=90))
        planned.append(
            PlannedPlatform(
                index=index,
                name=name,
                kind=kind,
                actor_type=actor_type,
                country=country,
                region=region,
                locality=locality,
                latitude=round(latitude + rng.uniform(-0.02, 0.02), 5),
                longitude=round(longitude + rng.uniform(-0.02, 0.02), 5),
                status=(
                    CoordinationGroup.Status.VALIDATED
                    if rng.random() < 0.7
                    else CoordinationGroup.Status.ACTIVE
                ),
                start=start,
            )
        )
    activity = [rng.uniform(0.4, 2.0) for _ in planned]
    owners = list(range(len(planned)))[: len(sizes)]
    owners += rng.choices(range(len(planned)), activity, k=len(sizes) - len(owners))
    for size, owner in zip(sizes, owners, strict=True):
        platform = planned[owner]
        platform.groups.append(_plan_group(rng, platform, size, profiles))
    return planned


def _plan_group(
    rng: random.Random,
    platform: PlannedPlatform,
    size: int,
    profiles: list[tuple[str, dict[str, str]]],
) -> PlannedGroup:
    language = platform.language
    slug, labels = rng.choice(profiles) if profiles else (None, {})
    label = labels.get(language) or labels.get("en") or "Group"
    taken = {group.name for group in platform.groups}
    if platform.kind == CoordinationGroup.Kind.TERRITORY:
        district = rng.choice(DISTRICTS[language])
        name = f"{label} · {district}"
    else:
        name = label
    base, number = name, 2
    while name in taken:
        name, number = f"{base} {number}", number + 1
    window_end = min(LAST_DAY, platform.start + dt.timedelta(days=3 * 365))
    first = _day_between(rng, platform.start, window_end)
    dates = [first]
    if rng.random() < 0.15:
        dates.append(min(LAST_DAY, first + dt.timedelta(days=rng.randint(7, 60))))
    participants = rng.randint(6, 25)
    other = 1 if rng.random() < 0.05 else 0
    women = min(participants - other, round(participants * rng.uniform(0.3, 0.7)))
    return PlannedGroup(
        name=name,
        profile_slug=slug,
        meeting_dates=sorted(set(dates)),
        participants=participants,
        women=women,
        men=participants - women - other,
        other=other,
        size=size,
    )


# --- Writing ------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    countries: int = 0
    countries_created: int = 0
    coordination_groups: int = 0
    homogeneous_groups: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def criteria(self) -> int:
        return sum(self.statuses.values())

    def line(self) -> str:
        statuses = ", ".join(
            f"{self.statuses.get(status, 0):,} {status}" for status in Criterion.Status.values
        )
        return (
            f"{self.countries} countries ({self.countries_created} new), "
            f"{self.coordination_groups:,} coordination groups, "
            f"{self.homogeneous_groups:,} homogeneous groups, "
            f"{self.criteria:,} criteria ({statuses})"
        )


def demo_groups() -> models.QuerySet[CoordinationGroup]:
    """The coordination groups this generator made."""
    return CoordinationGroup.objects.filter(
        slug__startswith=DEMO_SLUG_PREFIX, network_id__startswith=DEMO_NETWORK_ID_PREFIX
    )


def demo_existing() -> DemoSummary | None:
    """What an earlier run left, or None."""
    groups = demo_groups()
    ids = list(groups.values_list("pk", flat=True))
    if not ids:
        return None
    with cross_tenant():
        statuses = Counter(
            dict(
                Criterion.objects.filter(tenant_id__in=ids)
                .order_by()
                .values_list("status")
                .annotate(models.Count("pk"))
            )
        )
        homogeneous = HomogeneousGroup.objects.filter(tenant_id__in=ids).count()
    countries = groups.order_by().values("country_id").distinct().count()
    return DemoSummary(
        countries=countries,
        coordination_groups=len(ids),
        homogeneous_groups=homogeneous,
        statuses=statuses,
    )


@transaction.atomic
def demo_remove() -> int:
    """Delete every demo coordination group with what it owns (criteria, their history,
    homogeneous groups, memberships, its wiki space when it holds no page); the countries and
    places stay. Returns how many coordination groups went."""
    ids = list(demo_groups().values_list("pk", flat=True))
    if not ids:
        return 0
    slugs = list(demo_groups().values_list("slug", flat=True))
    with cross_tenant():
        # Children first, each in one statement, so the cascade below has nothing left to load.
        Classification.objects.filter(tenant_id__in=ids).delete()
        Criterion.objects.filter(tenant_id__in=ids).delete()
        HomogeneousGroup.objects.filter(tenant_id__in=ids).delete()
        CoordinationGroup.objects.filter(pk__in=ids).delete()
    Space.objects.filter(slug__in=slugs, pages__isnull=True, attachments__isnull=True).delete()
    return len(ids)


@contextmanager
def _given_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """bulk_create stamps auto_now and auto_now_add fields with the current time; switched off
    while demo rows are written, so that they carry dates spread over the years (the feeds and
    the classification queue order by them)."""
    fields = [
        model_field
        for model in model_classes
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    saved = [
        (model_field, model_field.auto_now, model_field.auto_now_add) for model_field in fields
    ]
    for model_field in fields:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _at(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)), dt.UTC)
    return min(moment, now)


def _places(planned: list[PlannedPlatform], summary: DemoSummary) -> dict[tuple, object]:
    """Countries, regions and localities the plan uses: existing rows reused, missing ones
    created. Keys: (code,), (code, region), (code, region, locality)."""
    used = {(p.country.code, p.region, p.locality) for p in planned}
    codes = {code for code, _region, _locality in used}
    continents = {
        c.code: c for c in Continent.objects.filter(code__in={c.continent for c in COUNTRIES})
    }
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    for demo in COUNTRIES:
        if demo.code in codes and demo.code not in countries:
            countries[demo.code] = Country.objects.create(
                code=demo.code,
                name=demo.name,
                names={"fr": demo.name_fr, "pt": demo.name_pt},
                continent=continents[demo.continent],
            )
            summary.countries_created += 1
    summary.countries = len(countries)
    found: dict[tuple, object] = {(code,): country for code, country in countries.items()}
    for code, region_name, locality_name in sorted(used):
        country = countries[code]
        region_key = (code, region_name)
        if region_key not in found:
            found[region_key], _created = Region.objects.get_or_create(
                country=country,
                slug=slugify(region_name, allow_unicode=True)[:150],
                defaults={"name": region_name},
            )
        found[(code, region_name, locality_name)], _created = Locality.objects.get_or_create(
            region=found[region_key],
            slug=slugify(locality_name, allow_unicode=True)[:150],
            defaults={"name": locality_name},
        )
    return found


@dataclass
class _Grid:
    """The current grid and the network questions, ready for drawing."""

    components: dict[str, Component]
    codes: list[str]
    weights_by_profile: dict[str | None, list[float]]
    siblings: dict[str, list[str]]
    questions: list[Question]


def _grid() -> _Grid:
    from criteria.selectors import component_list

    components = {component.code: component for component in component_list()}
    codes = list(components)
    base = {
        code: (0.6 if code.endswith("00") else 1.0) * (1.4 if code.startswith("A") else 1.0)
        for code in codes
    }
    weights_by_profile: dict[str | None, list[float]] = {None: [base[code] for code in codes]}
    for slug, topics in PROFILE_TOPICS.items():
        weights_by_profile[slug] = [base[code] * (4 if code in topics else 1) for code in codes]
    siblings: dict[str, list[str]] = {}
    for code, component in components.items():
        siblings[code] = [
            other
            for other, candidate in components.items()
            if candidate.family_id == component.family_id and other != code
        ]
    questions = list(
        Question.objects.filter(tenant=None, code__in=("Q1", "Q2", "Q3")).order_by("order")
    )
    if len(questions) != 3:
        raise ValueError("The network questions Q1, Q2 and Q3 are missing: run the migrations.")
    return _Grid(components, codes, weights_by_profile, siblings, questions)


def demo_generate(
    *,
    criteria: int,
    seed: int = 1,
    platforms: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write a demo network with `criteria` criteria (about four homogeneous groups per
    coordination group unless `platforms` says how many coordination groups), the same for the
    same seed. One transaction."""
    with transaction.atomic(), cross_tenant():
        summary = _generate(criteria=criteria, seed=seed, platforms=platforms, progress=progress)
    _analyze()
    return summary


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load: until autovacuum gets to it,
    PostgreSQL plans queries on these tables as if they were nearly empty (nested loops over
    tens of thousands of rows)."""
    tables = [
        model._meta.db_table
        for model in (Criterion, Classification, HomogeneousGroup, CoordinationGroup)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _generate(
    *,
    criteria: int,
    seed: int,
    platforms: int | None,
    progress: Callable[[str], None] | None,
) -> DemoSummary:
    rng = random.Random(seed)
    now = timezone.now()
    profiles = list(Profile.objects.filter(is_active=True).order_by("order", "name"))
    planned = plan_network(
        rng,
        criteria=criteria,
        platforms=platforms,
        profiles=[(p.slug, {"en": p.name, **p.names}) for p in profiles],
    )
    grid = _grid()
    summary = DemoSummary()
    places = _places(planned, summary)
    facilitator = User.objects.filter(username=DEMO_FACILITATOR).first()
    with _given_timestamps(CoordinationGroup, HomogeneousGroup, Criterion, Classification):
        groups = _write_platforms(rng, planned, places=places, now=now)
        summary.coordination_groups = len(groups)
        # The demo login facilitates the first few, so `make run` shows a classification queue.
        facilitated = groups[:FACILITATED_GROUPS] if facilitator is not None else []
        Membership.objects.bulk_create(
            [
                Membership(tenant=group, user=facilitator, role=Membership.Role.FACILITATOR)
                for group in facilitated
            ],
            ignore_conflicts=True,
        )
        homogeneous = _write_homogeneous_groups(
            rng, planned, groups, profiles={p.slug: p for p in profiles}, now=now
        )
        summary.homogeneous_groups = len(homogeneous)
        writer = _CriteriaWriter(summary=summary, progress=progress, total=criteria)
        actors = {group.pk: facilitator.pk for group in facilitated}
        _write_criteria(rng, homogeneous, grid=grid, writer=writer, actors=actors, now=now)
    return summary


def _write_platforms(
    rng: random.Random,
    planned: list[PlannedPlatform],
    *,
    places: dict[tuple, object],
    now: dt.datetime,
) -> list[CoordinationGroup]:
    """The coordination groups with their wiki spaces (no pages: a group's page lists the
    pages its members write)."""
    taken_ids = set(
        CoordinationGroup.objects.filter(network_id__startswith=DEMO_NETWORK_ID_PREFIX).values_list(
            "network_id", flat=True
        )
    )
    taken_slugs = set(
        Space.objects.filter(slug__startswith=DEMO_SLUG_PREFIX).values_list("slug", flat=True)
    )
    number = 0
    spaces, groups = [], []
    for platform in planned:
        number += 1
        while (network_id := f"{DEMO_NETWORK_ID_PREFIX}{number:05d}") in taken_ids:
            number += 1
        slug = f"{DEMO_SLUG_PREFIX}{slugify(platform.name)[:60]}-{platform.index + 1}"
        while slug in taken_slugs:
            slug += "-x"
        taken_slugs.add(slug)
        first_meeting = min((g.meeting_dates[0] for g in platform.groups), default=platform.start)
        opened = _at(min(platform.start, first_meeting) - dt.timedelta(days=30), rng, now)
        spaces.append(
            Space(
                slug=slug,
                name=platform.name,
                kind=Space.Kind.COORDINATION_GROUP,
                is_public=True,
                created_at=opened,
            )
        )
        code = platform.country.code
        groups.append(
            CoordinationGroup(
                network_id=network_id,
                name=platform.name,
                slug=slug,
                kind=platform.kind,
                actor_type=platform.actor_type,
                level=CoordinationGroup.Level.LOCALITY,
                country=places[(code,)],
                region=places[(code, platform.region)],
                locality=places[(code, platform.region, platform.locality)],
                latitude=platform.latitude,
                longitude=platform.longitude,
                platform_description=_platform_description(platform),
                languages=[platform.language],
                status=platform.status,
                created_at=opened,
                modified_at=opened,
            )
        )
    Space.objects.bulk_create(spaces, batch_size=BATCH_SIZE)
    for space, group in zip(spaces, groups, strict=True):
        group.space = space
    CoordinationGroup.objects.bulk_create(groups, batch_size=BATCH_SIZE)
    return groups


def _write_homogeneous_groups(
    rng: random.Random,
    planned: list[PlannedPlatform],
    groups: list[CoordinationGroup],
    *,
    profiles: dict[str, Profile],
    now: dt.datetime,
) -> list[tuple[HomogeneousGroup, PlannedGroup]]:
    rows: list[tuple[HomogeneousGroup, PlannedGroup]] = []
    for platform, group in zip(planned, groups, strict=True):
        for index, plan in enumerate(platform.groups, start=1):
            first, last = plan.meeting_dates[0], plan.meeting_dates[-1]
            hg = HomogeneousGroup(
                tenant=group,
                name=plan.name,
                slug=f"{slugify(plan.name)[:70]}-{index}",
                profile=profiles.get(plan.profile_slug),
                meeting_dates=[day.isoformat() for day in plan.meeting_dates],
                participants=plan.participants,
                participants_women=plan.women,
                participants_men=plan.men,
                participants_other=plan.other,
                language=platform.language,
                created_at=_at(first - dt.timedelta(days=14), rng, now),
                modified_at=_at(last + dt.timedelta(days=1), rng, now),
            )
            rows.append((hg, plan))
    HomogeneousGroup.objects.bulk_create([hg for hg, _plan in rows], batch_size=BATCH_SIZE)
    return rows


def _write_criteria(
    rng: random.Random,
    homogeneous: list[tuple[HomogeneousGroup, PlannedGroup]],
    *,
    grid: "_Grid",
    writer: "_CriteriaWriter",
    actors: dict[int, int],
    now: dt.datetime,
) -> None:
    """Every group's criteria, question by question as a facilitator types them. actors maps
    a coordination group to the user who entered and classified its criteria (else nobody)."""
    # The first criteria go once to every component, so that even a small run covers the grid.
    coverage = rng.sample(grid.codes, len(grid.codes))
    if sum(plan.size for _hg, plan in homogeneous) < 2 * len(coverage):
        coverage = []
    position = 0
    question_ids = [question.pk for question in grid.questions]
    shares, share_weights = zip(*((s, w) for w, s in UNCLASSIFIED_BY_GROUP), strict=True)
    for hg, plan in homogeneous:
        actor_id = actors.get(hg.tenant_id)
        unclassified_share = rng.choices(shares, share_weights)[0]
        weights = grid.weights_by_profile.get(plan.profile_slug, grid.weights_by_profile[None])
        drawn = []
        for _ in range(plan.size):
            forced = coverage[position] if position < len(coverage) else None
            position += 1
            drawn.append(_draw(rng, grid, weights, hg.language, forced, unclassified_share))
        drawn.sort(key=lambda item: item[0])
        for question, text, code, status, code_full in drawn:
            session = rng.choice(plan.meeting_dates)
            created = _at(session + dt.timedelta(days=rng.randint(0, 3)), rng, now)
            component_id = None
            classified_at = None
            if status != Criterion.Status.UNCLASSIFIED:
                component_id = grid.components[code].pk
                delay = dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
                classified_at = min(now, created + delay)
            # Ids rather than objects: a third less time per row in bulk_create.
            writer.add(
                Criterion(
                    tenant_id=hg.tenant_id,
                    group_id=hg.pk,
                    question_id=question_ids[question],
                    text=text,
                    language=hg.language,
                    session_date=session,
                    status=status,
                    component_id=component_id,
                    full_code=code_full,
                    entered_by_id=actor_id,
                    classified_by_id=actor_id if component_id is not None else None,
                    classified_at=classified_at,
                    created_at=created,
                    modified_at=classified_at or created,
                )
            )
    writer.flush()


def _draw(
    rng: random.Random,
    grid: _Grid,
    weights: list[float],
    language: str,
    forced: str | None,
    unclassified_share: float,
) -> tuple[int, str, str, str, str]:
    """(question index, text, component code, status, full code) of one criterion."""
    question = rng.choices((0, 1, 2), QUESTION_SHARES)[0]
    if forced is not None:
        code = forced
        text = criterion_text(
            rng,
            code=code,
            question=question,
            language=language,
            label=grid.components[code].label(language),
        )
        return question, text, code, Criterion.Status.CLASSIFIED, ""
    if rng.random() < 0.05:
        text, code = generic_text(rng, question=question, language=language)
        if code not in grid.components:
            code = rng.choice(grid.codes)
    else:
        code = rng.choices(grid.codes, weights)[0]
        other = None
        if rng.random() < 0.08:
            siblings = grid.siblings.get(code) or grid.codes
            other_code = rng.choice(siblings) if rng.random() < 0.6 else rng.choice(grid.codes)
            other = (other_code, grid.components[other_code].label(language))
        text = criterion_text(
            rng,
            code=code,
            question=question,
            language=language,
            label=grid.components[code].label(language),
            other=other,
        )
        if rng.random() < 0.04:
            # Rule 6 of the determination key: in doubt, the family's general component.
            general = code[0] + "00"
            if general in grid.components:
                code = general
    roll = rng.random()
    if roll < STATUS_DISPUTED:
        siblings = grid.siblings.get(code)
        if siblings and rng.random() < 0.5:
            code = rng.choice(siblings)
        return question, text, code, Criterion.Status.DISPUTED, ""
    if roll < STATUS_DISPUTED + unclassified_share:
        return question, text, code, Criterion.Status.UNCLASSIFIED, ""
    code_full = (
        full_code(rng, code=code, question=question) if rng.random() < FULL_CODE_SHARE else ""
    )
    return question, text, code, Criterion.Status.CLASSIFIED, code_full


def _platform_description(platform: PlannedPlatform) -> str:
    texts = {
        "en": "Demo platform of {place}: generated data to try the site.",
        "fr": "Plateforme de démonstration de {place} : des données générées pour essayer le site.",
        "pt": "Plataforma de demonstração de {place}: dados gerados para experimentar o site.",
    }
    return texts[platform.language].format(place=platform.locality)


class _CriteriaWriter:
    """Buffers criteria and writes them, with their classification history, in batches."""

    def __init__(
        self, *, summary: DemoSummary, progress: Callable[[str], None] | None, total: int
    ) -> None:
        self.summary = summary
        self.progress = progress
        self.total = total
        self.pending: list[Criterion] = []

    def add(self, criterion: Criterion) -> None:
        self.pending.append(criterion)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        Criterion.objects.bulk_create(self.pending, batch_size=BATCH_SIZE)
        history = []
        for criterion in self.pending:
            self.summary.statuses[criterion.status] += 1
            if criterion.component_id is None:
                continue
            steps = [Criterion.Status.CLASSIFIED]
            if criterion.status == Criterion.Status.DISPUTED:
                steps.append(Criterion.Status.DISPUTED)
            history.extend(
                Classification(
                    tenant_id=criterion.tenant_id,
                    criterion_id=criterion.pk,
                    status=step,
                    component_id=criterion.component_id,
                    full_code=criterion.full_code,
                    actor_id=criterion.classified_by_id,
                    created_at=criterion.classified_at,
                )
                for step in steps
            )
        Classification.objects.bulk_create(history, batch_size=BATCH_SIZE)
        self.pending = []
        if self.progress is not None:
            self.progress(f"{self.summary.criteria:,} / {self.total:,} criteria")
