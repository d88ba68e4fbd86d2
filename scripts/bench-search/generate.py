#!/usr/bin/env python3
"""Generate the search benchmark's data set: teacher profiles, project postings and queries.

    generate.py --profiles 1200000 --postings 50000 --seed 1 --out /tmp/bench-search-data

Writes, in --out:
  profiles.jsonl  one profile per line (display_name, country, languages, subjects,
                  member_type, bio, available_for_projects)
  postings.jsonl  one posting per line (author = 0-based line of profiles.jsonl, scope,
                  country, title, summary, description, languages, subjects, topics,
                  key_competences, pupil_ages)
  queries.json    {"people"|"postings": {"one_word"|"two_words"|"three_words":
                  {"plain": [{"q", "filters": {}}...], "filtered": [{"q", "filters"}...]}}};
                  every query is sampled from one generated record, and its filtered copy
                  takes its filter value from that same record, so both have results.
  meta.json       arguments, counts, timings, and the profiles given a distinctive rare
                  surname (for single-result checks).

Deterministic for a given --seed (and the same --profiles/--postings), whatever the number of
worker processes: profiles are generated in fixed chunks, each with its own seeded generator.
Standard library only.
"""

import argparse
import bisect
import json
import os
import random
import sys
import time
import unicodedata
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import names as N  # noqa: E402

CHUNK = 50_000
QUERIES_PER_SHAPE = 200

COUNTRY_NAMES = {
    "AL": "Albania", "AM": "Armenia", "AT": "Austria", "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina", "BE": "Belgium", "BG": "Bulgaria", "CY": "Cyprus",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "EG": "Egypt",
    "EL": "Greece", "ES": "Spain", "FI": "Finland", "FR": "France", "GE": "Georgia",
    "HR": "Croatia", "HU": "Hungary", "IE": "Ireland", "IS": "Iceland", "IT": "Italy",
    "JO": "Jordan", "LB": "Lebanon", "LI": "Liechtenstein", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "MA": "Morocco", "MD": "Moldova", "ME": "Montenegro",
    "MK": "North Macedonia", "MT": "Malta", "NL": "the Netherlands", "NO": "Norway",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "RS": "Serbia", "SE": "Sweden",
    "SI": "Slovenia", "SK": "Slovakia", "TN": "Tunisia", "TR": "Türkiye", "UA": "Ukraine",
}
LANGUAGES = ("ar bg ca cs da de el en es et eu fi fr ga hr hu hy is it ka lt lv mk mt nl no "
             "pl pt ro ru sk sl sq sr sv tr uk").split()
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "eu": "Basque", "fi": "Finnish", "fr": "French", "ga": "Irish", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "is": "Icelandic", "it": "Italian", "ka": "Georgian",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "mt": "Maltese", "nl": "Dutch",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian",
}
# code: (weight among teachers' subjects, how an English bio names it)
SUBJECTS = {
    "art": (5, "art"), "biology": (4, "biology"), "chemistry": (3, "chemistry"),
    "citizenship": (2, "citizenship"), "cross_curricular": (3, "cross-curricular subjects"),
    "drama": (1, "drama"), "economics": (1.5, "economics"),
    "environmental_education": (3, "environmental education"),
    "european_studies": (1.5, "European studies"), "foreign_languages": (14, None),
    "geography": (4, "geography"), "history": (5, "history"), "ict": (7, "ICT"),
    "language_literature": (9, "language and literature"), "mathematics": (8, "mathematics"),
    "media_education": (1, "media education"), "music": (3, "music"),
    "natural_sciences": (5, "natural sciences"), "philosophy": (1, "philosophy"),
    "physical_education": (3, "physical education"), "physics": (3, "physics"),
    "pre_school": (5, "pre-school education"),
    "primary_school_subjects": (10, "primary school subjects"),
    "psychology": (1, "psychology"), "religion": (1.5, "religious education"),
    "social_studies": (2, "social studies"), "special_needs": (2, "special needs education"),
    "technology": (3, "technology"), "vocational": (3, "vocational subjects"),
}
MEMBER_TYPES = [("teacher", 85), ("head_teacher", 5), ("ict_coordinator", 2.5),
                ("librarian", 1.5), ("counsellor", 1.5), ("pedagogical_advisor", 1),
                ("teacher_trainer", 1.5), ("other", 2)]
TOPICS = ("arts_culture citizenship climate_environment cultural_heritage digital_citizenship "
          "entrepreneurship european_values health_wellbeing inclusion languages_communication "
          "maths_science media_literacy outdoor_learning programming_robotics sustainability "
          "wellbeing_sport").split()
COMPETENCES = ("literacy multilingual stem digital personal_social_learning citizenship "
               "entrepreneurship cultural_awareness").split()
COMPETENCE_TEXT = {
    "literacy": "literacy", "multilingual": "multilingual", "stem": "STEM",
    "digital": "digital", "personal_social_learning": "personal and social",
    "citizenship": "citizenship", "entrepreneurship": "entrepreneurial",
    "cultural_awareness": "cultural awareness",
}
AGES = ["0-5", "6-9", "10-12", "13-15", "16-19", "20+"]

# School types: (with article, pupil ages bucket indexes into AGES, age range for bios)
SCHOOLS = [
    ("a kindergarten", (0,), (3, 6)), ("a primary school", (1, 2), (6, 11)),
    ("a primary school", (1, 2), (6, 11)), ("a lower secondary school", (2, 3), (11, 15)),
    ("a secondary school", (3, 4), (12, 18)), ("a high school", (4,), (15, 19)),
    ("a vocational school", (4, 5), (15, 19)), ("an upper secondary school", (4,), (15, 19)),
    ("a special education centre", (1, 2, 3), (6, 18)), ("an art school", (3, 4), (12, 18)),
    ("a secondary school", (3, 4), (12, 18)), ("a primary school", (1, 2), (6, 11)),
]

INTERESTS = [
    "climate action", "digital storytelling", "robotics", "coding", "outdoor learning",
    "inclusive education", "European citizenship", "cultural heritage", "media literacy",
    "STEM", "creative writing", "music", "theatre", "school gardens", "healthy lifestyles",
    "maths games", "reading clubs", "CLIL", "game-based learning", "entrepreneurship",
    "sustainability", "astronomy", "photography", "folk dances", "recycling",
    "project-based learning", "drama in education", "mindfulness", "escape rooms",
    "flipped classrooms", "tinkering", "biodiversity", "intercultural dialogue",
]
HOBBIES = [
    "hiking", "reading", "photography", "cooking", "travelling", "gardening",
    "playing the guitar", "cycling", "painting", "chess", "yoga", "swimming", "baking",
    "singing in a choir", "knitting", "running", "birdwatching", "sailing",
]
FOREIGN = ["English"] * 7 + ["French", "French", "German", "German", "Spanish", "Italian"]

# Native-language bios: teach sentence (female, male), years sentence, interest sentences,
# topics for them, and the range of "years" that keeps the grammar right.
NATIVE_BIOS = {
    "tr": dict(teach=[("{city} ilinde bir okulda öğretmenim.",) * 2,
                      ("{city} ilinde çalışan bir öğretmenim.",) * 2],
               years=["{n} yıldır öğretmenlik yapıyorum."],
               interest=["{topic} konulu eTwinning projeleri için ortak arıyorum.",
                         "Özellikle {topic} ile ilgileniyorum."],
               topics=["iklim değişikliği", "kodlama", "kültürel miras", "kitap okuma", "STEM",
                       "değerler eğitimi", "geri dönüşüm", "robotik"], n=(2, 30)),
    "it": dict(teach=[("Sono un'insegnante di una scuola di {city}.",
                       "Sono un insegnante di una scuola di {city}."),
                      ("Insegno in una scuola di {city}.",) * 2],
               years=["Insegno da {n} anni."],
               interest=["Mi interessano i progetti su {topic}.",
                         "Cerco partner per progetti eTwinning su {topic}."],
               topics=["educazione ambientale", "cittadinanza digitale", "coding",
                       "patrimonio culturale", "lettura", "inclusione", "robotica", "musica"],
               n=(2, 30)),
    "pl": dict(teach=[("Jestem nauczycielką w szkole w mieście {city}.",
                       "Jestem nauczycielem w szkole w mieście {city}.")],
               years=["Uczę od {n} lat."],
               interest=["Szukam partnerów do projektów eTwinning o tematyce: {topic}.",
                         "Interesuje mnie temat: {topic}."],
               topics=["ekologia", "programowanie", "dziedzictwo kulturowe", "czytelnictwo",
                       "edukacja obywatelska", "robotyka", "zdrowy styl życia"], n=(5, 21)),
    "es": dict(teach=[("Soy profesora en un centro educativo de {city}.",
                       "Soy profesor en un centro educativo de {city}."),
                      ("Trabajo como docente en {city}.",) * 2],
               years=["Llevo {n} años dando clase."],
               interest=["Busco socios para proyectos eTwinning sobre {topic}.",
                         "Me interesa especialmente {topic}."],
               topics=["el medio ambiente", "la programación", "el patrimonio cultural",
                       "la lectura", "la inclusión", "la robótica educativa",
                       "el aprendizaje cooperativo"], n=(2, 30)),
    "ro": dict(teach=[("Sunt profesoară la o școală din {city}.",
                       "Sunt profesor la o școală din {city}.")],
               years=["Predau de {n} ani."],
               interest=["Caut parteneri pentru proiecte eTwinning despre {topic}.",
                         "Mă interesează {topic}."],
               topics=["educația ecologică", "programarea", "patrimoniul cultural",
                       "lectura", "incluziunea", "robotica", "educația civică"], n=(2, 19)),
    "el": dict(teach=[("Είμαι εκπαιδευτικός σε σχολείο της πόλης {city}.",) * 2,
                      ("Διδάσκω σε σχολείο στην πόλη {city}.",) * 2],
               years=["Διδάσκω εδώ και {n} χρόνια."],
               interest=["Αναζητώ συνεργάτες για έργα eTwinning για {topic}.",
                         "Με ενδιαφέρουν έργα για {topic}."],
               topics=["την περιβαλλοντική εκπαίδευση", "τον προγραμματισμό",
                       "την πολιτιστική κληρονομιά", "τη φιλαναγνωσία", "τη ρομποτική",
                       "την ένταξη"], n=(2, 30)),
    "fr": dict(teach=[("Je suis enseignante dans un établissement de {city}.",
                       "Je suis enseignant dans un établissement de {city}."),
                      ("J'enseigne à {city}.",) * 2],
               years=["J'enseigne depuis {n} ans."],
               interest=["Je cherche des partenaires pour des projets eTwinning sur {topic}.",
                         "Mes projets portent sur {topic}."],
               topics=["l'environnement", "le numérique", "le patrimoine culturel",
                       "la lecture", "l'inclusion", "la robotique",
                       "la citoyenneté européenne"], n=(2, 30)),
    "pt": dict(teach=[("Sou professora numa escola em {city}.",
                       "Sou professor numa escola em {city}.")],
               years=["Ensino há {n} anos."],
               interest=["Procuro parceiros para projetos eTwinning sobre {topic}.",
                         "Tenho especial interesse em {topic}."],
               topics=["educação ambiental", "programação", "património cultural", "leitura",
                       "inclusão", "robótica", "cidadania europeia"], n=(2, 30)),
    "uk": dict(teach=[("Я вчителька в школі міста {city}.", "Я вчитель у школі міста {city}.")],
               years=["Викладаю вже {n} років."],
               interest=["Шукаю партнерів для проєктів eTwinning на тему: {topic}.",
                         "Мене цікавить {topic}."],
               topics=["екологія", "програмування", "культурна спадщина", "читання",
                       "інклюзія", "робототехніка", "медіаграмотність"], n=(5, 20)),
    "de": dict(teach=[("Ich bin Lehrerin an einer Schule in {city}.",
                       "Ich bin Lehrer an einer Schule in {city}.")],
               years=["Ich unterrichte seit {n} Jahren."],
               interest=["Ich suche Partner für eTwinning-Projekte zum Thema {topic}.",
                         "Besonders interessiere ich mich für {topic}."],
               topics=["Umweltbildung", "Programmieren", "kulturelles Erbe", "Leseförderung",
                       "Inklusion", "Robotik", "Demokratiebildung"], n=(2, 30)),
    "bg": dict(teach=[("Аз съм учителка в училище в град {city}.",
                       "Аз съм учител в училище в град {city}.")],
               years=["Преподавам от {n} години."],
               interest=["Търся партньори за проекти по eTwinning на тема {topic}.",
                         "Интересувам се от {topic}."],
               topics=["екология", "програмиране", "културно наследство", "четене",
                       "приобщаващо образование", "роботика"], n=(2, 30)),
    "hr": dict(teach=[("Učiteljica sam u školi u gradu {city}.",
                       "Učitelj sam u školi u gradu {city}.")],
               years=["Predajem već {n} godina."],
               interest=["Tražim partnere za eTwinning projekte na temu {topic}.",
                         "Zanima me tema: {topic}."],
               topics=["ekologija", "programiranje", "kulturna baština", "čitanje",
                       "uključivanje", "robotika"], n=(5, 20)),
    "cs": dict(teach=[("Jsem učitelka na škole ve městě {city}.",
                       "Jsem učitel na škole ve městě {city}.")],
               years=["Učím už {n} let."],
               interest=["Hledám partnery pro projekty eTwinning na téma {topic}."],
               topics=["ekologie", "programování", "kulturní dědictví", "čtenářství",
                       "inkluze", "robotika"], n=(5, 30)),
    "sk": dict(teach=[("Som učiteľka na škole v meste {city}.",
                       "Som učiteľ na škole v meste {city}.")],
               years=["Učím už {n} rokov."],
               interest=["Hľadám partnerov pre projekty eTwinning na tému {topic}."],
               topics=["ekológia", "programovanie", "kultúrne dedičstvo", "čítanie",
                       "inklúzia", "robotika"], n=(5, 30)),
    "nl": dict(teach=[("Ik ben leerkracht op een school in {city}.",) * 2,
                      ("Ik geef les op een school in {city}.",) * 2],
               years=["Ik geef al {n} jaar les."],
               interest=["Ik zoek partners voor eTwinning-projecten over {topic}.",
                         "Ik ben vooral geïnteresseerd in {topic}."],
               topics=["duurzaamheid", "programmeren", "cultureel erfgoed", "lezen",
                       "inclusie", "robotica"], n=(2, 30)),
}

# Words that make poor search terms: sampled query words skip them.
STOP = set("""a about after again all also an and any are as at be because been before being
between both but by can could did do does doing during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some
such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours aged years year old teacher teachers teach teaching school schools pupils students
project projects partners partner looking interested free time enjoy love experience
international cooperation etwinning work working will together would like also pupil
between class classes each other share shared results online final plan month months
where head librarian counsellor pedagogical advisor supporting coordinator train training
centre been taken part passionate start countries""".split())
# ... and the fixed words of the native-language bio templates, so that a sampled bio word
# is a city, subject, interest or topic rather than "pentru" or "öğretmenim".
for _t in NATIVE_BIOS.values():
    for _group in (_t["teach"], _t["years"], _t["interest"]):
        for _sentence in _group:
            for _s in (_sentence if isinstance(_sentence, tuple) else (_sentence,)):
                for _w in _s.split():
                    if "{" not in _w:
                        STOP.add(_w.strip(".,:;!?'’").lower())

# ---------------------------------------------------------------------------------------
# Transliteration and grammar helpers


def greek_to_latin(text):
    out = []
    for word in text.split(" "):
        s = unicodedata.normalize("NFD", word.lower()).replace("\u0301", "")
        res, i = [], 0
        while i < len(s):
            ch = s[i]
            if ch == "\u0308":
                i += 1
                continue
            two = s[i:i + 2]
            blocked = i + 2 < len(s) and s[i + 2] == "\u0308"
            if i == 0 and two in ("μπ", "ντ", "γκ"):
                res.append({"μπ": "b", "ντ": "d", "γκ": "g"}[two])
                i += 2
            elif two in N.GREEK_DIGRAPHS and not blocked:
                res.append(N.GREEK_DIGRAPHS[two])
                i += 2
            else:
                res.append(N.GREEK.get(ch, ch))
                i += 1
        w = "".join(res)
        out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def cyrillic_to_latin(text, table, lang):
    out = []
    for word in text.split(" "):
        res = []
        low = word.lower()
        for i, ch in enumerate(low):
            t = table.get(ch, ch)
            if isinstance(t, tuple):
                t = t[0] if i == 0 else t[1]
            if lang == "bg" and ch == "я" and i == len(low) - 1 and i > 0 and low[i - 1] == "и":
                t = "a"
            if word[i] != ch and t:
                t = t[0].upper() + t[1:]
            res.append(t)
        out.append("".join(res))
    return " ".join(out)


def to_latin(text, script):
    if script == "el":
        return greek_to_latin(text)
    table = {"uk": N.UKRAINIAN, "bg": N.BULGARIAN, "mk": N.MACEDONIAN, "sr": N.SERBIAN}[script]
    return cyrillic_to_latin(text, table, script)


def feminine(s, rule):
    if rule == "pl":
        for a, b in (("dzki", "dzka"), ("cki", "cka"), ("ski", "ska")):
            if s.endswith(a):
                return s[:-len(a)] + b
        return s
    if rule in ("cz", "sk"):
        if s.endswith("ý"):
            return s[:-1] + "á"
        if s.endswith("a"):
            return s[:-1] + "ová"
        if s.endswith("ec"):
            return s[:-2] + "cová"
        if s.endswith("ek") and rule == "cz":
            return s[:-2] + "ková"
        if s.endswith("o"):
            return s[:-1] + "ová"
        return s + "ová"
    if rule == "lt":
        for a in ("ius", "as", "is", "ys", "us"):
            if s.endswith(a):
                return s[:-len(a)] + "ienė"
        return s
    if rule == "lv":
        if s.endswith("ons"):
            return s[:-3] + "one"
        if s.endswith("is"):
            return s[:-2] + "e"
        if s.endswith(("š", "s")):
            return s[:-1] + "a"
        return s
    if rule in ("bg", "mk", "uk", "az"):
        if s.endswith(("ов", "ев", "ин", "ov", "ev", "in")):
            return s + ("a" if rule == "az" else "а")
        if rule == "mk" and s.endswith("ски"):
            return s[:-1] + "а"
        if rule == "uk" and s.endswith("ий"):
            return s[:-2] + "а"
        return s
    return s


def cap(s):
    return s[:1].upper() + s[1:]


def zipf_cum(n, s):
    cum, t = [], 0.0
    for r in range(n):
        t += 1.0 / (r + 1) ** s
        cum.append(t)
    return cum


def weighted_cum(weights):
    cum, t = [], 0.0
    for w in weights:
        t += w
        cum.append(t)
    return cum


def split_list(s):
    return [x.strip() for x in s.split(",") if x.strip()]


# ---------------------------------------------------------------------------------------
# Prepared tables (built once per process; workers inherit them through fork)


class Country:
    pass


def surname_forms(entry, c):
    """(masc native, fem native, masc latin, fem latin) for one surname entry."""
    if "|" in entry:
        masc, fem = entry.split("|")
    else:
        masc, fem = entry, feminine(entry, c.fem)
    if c.script:
        return (masc, fem, to_latin(masc, c.script), to_latin(fem, c.script))
    return (masc, fem, masc, fem)


def prepare():
    countries = []
    for code, d in N.COUNTRIES.items():
        c = Country()
        c.code, c.weight = code, d["w"]
        c.langs = split_list(d["langs"])
        c.female = d["female"]
        c.script = d.get("script")
        c.latin = d.get("latin", 0.0)
        c.fem = d.get("fem")
        c.bio_langs = d.get("bio", "").split("|") if d.get("bio") else []
        c.double = d.get("double", 0.0)
        c.double_hyphen = d.get("double_hyphen", 0.0)
        c.surname_first = d.get("surname_first", 0.0)
        c.patronymic = d.get("patronymic", False)
        c.borrow = d.get("borrow")

        def firsts(key):
            out = []
            for n in split_list(d[key]):
                out.append((n, to_latin(n, c.script) if c.script else n))
            return out

        c.f, c.m = firsts("f"), firsts("m")
        c.f_cum, c.m_cum = zipf_cum(len(c.f), 0.85), zipf_cum(len(c.m), 0.85)
        c.s = [surname_forms(e, c) for e in split_list(d["s"])]
        c.s_cum = zipf_cum(len(c.s), 0.75)
        c.tail = []
        if "tail" in d:
            roots, sufs = d["tail"]
            seen = set(e[0] for e in c.s)
            for r in split_list(roots):
                for suf in split_list(sufs):
                    if "|" in suf:
                        sm, sf = suf.split("|")
                        e = surname_forms(r + sm + "|" + r + sf, c)
                    else:
                        e = surname_forms(r + suf, c)
                    if e[0] not in seen:
                        seen.add(e[0])
                        c.tail.append(e)
        c.tail_p = 0.2 if c.tail else 0.0
        c.cities = []
        for city in split_list(d["cities"]):
            latin, _, native = city.partition("|")
            c.cities.append((latin, native or latin))
        c.city_cum = zipf_cum(len(c.cities), 1.0)
        countries.append(c)
    return countries


COUNTRY_LIST = prepare()
COUNTRY_INDEX = {c.code: i for i, c in enumerate(COUNTRY_LIST)}
COUNTRY_CUM = weighted_cum([c.weight for c in COUNTRY_LIST])
SUBJECT_CODES = list(SUBJECTS)
SUBJECT_CUM = weighted_cum([SUBJECTS[s][0] for s in SUBJECT_CODES])
MT_CODES = [m for m, _ in MEMBER_TYPES]
MT_CUM = weighted_cum([w for _, w in MEMBER_TYPES])
RARE = dict(N.RARE_SURNAMES)
for _code in [c for _, c in N.RARE_SURNAMES]:
    assert _code in COUNTRY_INDEX
assert len(COUNTRY_LIST) == 46 and set(COUNTRY_INDEX) == set(COUNTRY_NAMES)
for _c in COUNTRY_LIST:
    assert all(lang in LANGUAGES for lang in _c.langs), _c.code
    assert all(b in NATIVE_BIOS for b in _c.bio_langs), _c.code

# Countries where a share of surnames comes from other countries (migration).
RECEIVING = set("AT BE DE DK ES FR IE IT LI LU NL NO SE FI".split())

# Set by main() before the worker pool starts (inherited through fork).
WANTED = {}      # profile index -> True: record the profile for query sampling
RARE_AT = {}     # profile index -> rare surname


# ---------------------------------------------------------------------------------------
# Profiles


def pick(rng_random, cum, items):
    return items[bisect.bisect_right(cum, rng_random() * cum[-1])]


def english_bio(R, c, female, subjects, mtype, city, country_name, choice, randint):
    school, _, (a, b) = choice(SCHOOLS)
    subj_code = subjects[0] if subjects else "primary_school_subjects"
    subj = SUBJECTS[subj_code][1] or (choice(FOREIGN) + " as a foreign language")
    if mtype == "teacher":
        r = R()
        if r < 0.3:
            s1 = f"I teach {subj} at {school} in {city}."
        elif r < 0.55:
            s1 = f"I am a teacher of {subj} at {school} in {city}."
        elif r < 0.8:
            s1 = f"I work at {school} in {city}, where I teach {subj}."
        else:
            s1 = f"{cap(subj)} teacher at {school} in {city}, {country_name}."
    elif mtype == "head_teacher":
        s1 = f"I am the head teacher of {school} in {city}."
    elif mtype == "librarian":
        s1 = f"I am the school librarian at {school} in {city}."
    elif mtype == "counsellor":
        s1 = f"I work as a school counsellor at {school} in {city}."
    elif mtype == "pedagogical_advisor":
        s1 = f"I am a pedagogical advisor supporting schools in {city}, {country_name}."
    elif mtype == "ict_coordinator":
        s1 = f"I am the ICT coordinator at {school} in {city}."
    elif mtype == "teacher_trainer":
        s1 = f"I train teachers at a teacher training centre in {city}."
    else:
        s1 = f"I work at {school} in {city}."
    r = R()
    if r < 0.3:
        s2 = f"I have been teaching for {randint(2, 35)} years."
    elif r < 0.55:
        s2 = f"I have {randint(2, 35)} years of teaching experience."
    elif r < 0.8:
        s2 = f"My pupils are {a} to {b} years old."
    else:
        s2 = f"I have taken part in {randint(2, 25)} eTwinning projects so far."
    i1, i2 = choice(INTERESTS), choice(INTERESTS)
    r = R()
    if r < 0.25:
        s3 = f"I am interested in {i1} and {i2}." if i1 != i2 else f"I am interested in {i1}."
    elif r < 0.45:
        s3 = f"Passionate about {i1}, {i2} and international cooperation."
    elif r < 0.65:
        s3 = f"Looking for partners for eTwinning projects on {i1}."
    elif r < 0.85:
        h1, h2 = choice(HOBBIES), choice(HOBBIES)
        s3 = f"In my free time I enjoy {h1} and {h2}." if h1 != h2 else \
            f"In my free time I enjoy {h1}."
    else:
        s3 = f"I would love to start a project about {i1} with schools from other countries."
    return s1, s2, s3


def native_bio(R, lang, female, city, choice, randint):
    t = NATIVE_BIOS[lang]
    s1 = choice(t["teach"])[0 if female else 1].format(city=city)
    s2 = choice(t["years"]).format(n=randint(*t["n"]))
    s3 = choice(t["interest"]).format(topic=choice(t["topics"]))
    return s1, s2, s3


def make_profile(rng, idx):
    R, choice, randint = rng.random, rng.choice, rng.randint
    rare = RARE_AT.get(idx)
    if rare:
        c = COUNTRY_LIST[COUNTRY_INDEX[RARE[rare]]]
    else:
        c = COUNTRY_LIST[bisect.bisect_right(COUNTRY_CUM, R() * COUNTRY_CUM[-1])]
    names_c = c
    if c.borrow and R() < c.borrow[1]:
        names_c = COUNTRY_LIST[COUNTRY_INDEX[c.borrow[0]]]
    latin = bool(names_c.script) and R() < names_c.latin and not rare
    form = 2 if latin else 0
    female = R() < c.female
    if rare:
        female = rare.endswith(("ska", "ová", "dóttir", "ώτη")) or (
            female and not rare.endswith(("son",)))
    if female:
        first = pick(R, names_c.f_cum, names_c.f)[1 if latin else 0]
    else:
        first = pick(R, names_c.m_cum, names_c.m)[1 if latin else 0]
    g = 1 if female else 0

    def one_surname():
        r = R()
        if r < names_c.tail_p:
            e = choice(names_c.tail)
            return e[form + g]
        if names_c.code in RECEIVING and r < names_c.tail_p + 0.06:
            # a surname from elsewhere (migration, marriage): the long tail grows
            # (only from a country writing names in the same script)
            o = COUNTRY_LIST[bisect.bisect_right(COUNTRY_CUM, R() * COUNTRY_CUM[-1])]
            if not o.patronymic and o.script == names_c.script and o is not names_c:
                e = pick(R, o.s_cum, o.s)
                return e[form + g]
        return pick(R, names_c.s_cum, names_c.s)[form + g]

    if rare:
        surname = rare
    elif names_c.patronymic:
        surname = pick(R, names_c.s_cum, names_c.s)[0] + ("dóttir" if female else "son")
    else:
        surname = one_surname()
        if names_c.double and R() < names_c.double:
            second = one_surname()
            if second != surname:
                surname = surname + " " + second
        elif names_c.double_hyphen and R() < names_c.double_hyphen:
            second = one_surname()
            if second != surname:
                surname = surname + "-" + second
    if names_c.surname_first and R() < names_c.surname_first:
        display = surname + " " + first
    else:
        display = first + " " + surname

    # Languages: the country's (one, sometimes all), English very often, maybe one more.
    langs = [c.langs[0]] if R() < 0.7 else list(c.langs)
    if "en" not in langs and R() < 0.8:
        langs.append("en")
    if R() < 0.35:
        extra = choice(("de", "fr", "es", "it", "ru", "en", "tr", "pt"))
        if extra not in langs:
            langs.append(extra)
    # Subjects: one to five, weighted.
    r = R()
    k = 1 if r < 0.5 else 2 if r < 0.8 else 3 if r < 0.95 else randint(4, 5)
    subjects = []
    for _ in range(k):
        s = SUBJECT_CODES[bisect.bisect_right(SUBJECT_CUM, R() * SUBJECT_CUM[-1])]
        if s not in subjects:
            subjects.append(s)
    mtype = MT_CODES[bisect.bisect_right(MT_CUM, R() * MT_CUM[-1])]
    # Bio: ~30% empty; otherwise one to three sentences, sometimes in the country's language.
    bio = ""
    city = None
    if R() >= 0.3:
        ci = bisect.bisect_right(c.city_cum, R() * c.city_cum[-1])
        n_sent = 1 if R() < 0.3 else 2 if R() < 0.5 else 3
        if c.bio_langs and R() < 0.2:
            city = c.cities[ci][1]
            s1, s2, s3 = native_bio(R, choice(c.bio_langs), female, city, choice, randint)
        else:
            city = c.cities[ci][0]
            s1, s2, s3 = english_bio(R, c, female, subjects, mtype, city,
                                     COUNTRY_NAMES[c.code], choice, randint)
        if n_sent == 1:
            bio = s1 if R() < 0.7 else s3
        elif n_sent == 2:
            bio = s1 + " " + (s3 if R() < 0.6 else s2)
        else:
            bio = s1 + " " + s2 + " " + s3
    available = R() < 0.55
    rec = {
        "display_name": display,
        "country": c.code,
        "languages": langs,
        "subjects": subjects,
        "member_type": mtype,
        "bio": bio,
        "available_for_projects": available,
    }
    return rec, first, surname, city


def gen_chunk(args):
    seed, chunk_no, start, end = args
    rng = random.Random(f"twinhub-bench:{seed}:profiles:{chunk_no}")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    countries = bytearray()
    recorded = {}
    cidx = COUNTRY_INDEX
    for idx in range(start, end):
        rec, first, surname, city = make_profile(rng, idx)
        lines.append(dumps(rec))
        countries.append(cidx[rec["country"]])
        if idx in WANTED:
            recorded[idx] = (rec, first, surname, city)
    lines.append("")
    return chunk_no, "\n".join(lines).encode("utf-8"), bytes(countries), recorded


# ---------------------------------------------------------------------------------------
# Postings

TOPIC_PHRASES = {
    "arts_culture": ["street art", "museum visits", "traditional crafts", "comic strips",
                     "photography", "theatre", "shadow puppets", "folk music", "famous painters"],
    "citizenship": ["democracy", "children's rights", "school parliament", "volunteering",
                    "human rights", "active citizenship", "elections"],
    "climate_environment": ["climate change", "recycling", "plastic waste", "renewable energy",
                            "biodiversity", "water saving", "carbon footprint", "bees",
                            "air quality"],
    "cultural_heritage": ["local legends", "traditional recipes", "castles", "folk dances",
                          "old crafts", "family stories", "historic monuments", "festivals"],
    "digital_citizenship": ["online safety", "cyberbullying", "digital footprint", "netiquette",
                            "screen time", "strong passwords"],
    "entrepreneurship": ["mini companies", "school fairs", "business plans",
                         "social entrepreneurship", "financial literacy", "start-ups"],
    "european_values": ["European identity", "solidarity", "tolerance", "diversity",
                        "Europe Day", "EU institutions"],
    "health_wellbeing": ["healthy eating", "mindfulness", "sleep habits", "mental health",
                         "first aid", "nutrition"],
    "inclusion": ["special needs", "refugee pupils", "sign language", "accessibility",
                  "empathy", "friendship"],
    "languages_communication": ["storytelling", "creative writing", "pen pals", "poetry",
                                "podcasts", "tongue twisters", "picture dictionaries"],
    "maths_science": ["geometry", "fractions", "science experiments", "astronomy",
                      "kitchen chemistry", "statistics", "the solar system", "microorganisms"],
    "media_literacy": ["fake news", "fact-checking", "school newspaper", "advertising",
                       "news reporting", "radio shows"],
    "outdoor_learning": ["forest school", "school garden", "orienteering", "nature walks",
                         "birdwatching", "outdoor classroom"],
    "programming_robotics": ["coding", "Scratch", "micro:bit", "LEGO robots", "Arduino",
                             "algorithms", "game design", "artificial intelligence"],
    "sustainability": ["zero waste", "sustainable fashion", "composting", "upcycling",
                       "Sustainable Development Goals", "energy saving", "local food"],
    "wellbeing_sport": ["traditional games", "Olympic values", "fair play", "yoga", "football",
                        "dance", "active breaks"],
}
ACTIVITIES = [
    "create a digital book about {p}", "exchange letters about {p}",
    "build a shared map of {p}", "run a survey on {p}", "make short videos on {p}",
    "design posters about {p}", "organise an online quiz on {p}",
    "compare {p} in our countries", "write stories about {p}", "collect data on {p}",
    "interview local experts on {p}", "prepare a virtual exhibition on {p}",
]
NAME_ADJ = ["Green", "Little", "Young", "Bright", "Curious", "Digital", "Brave", "Happy",
            "Smart", "Open", "Hidden", "Colourful", "Future", "Common", "Shared", "Tiny",
            "Golden", "Blue", "Wild", "Friendly"]
NAME_NOUN = ["Explorers", "Steps", "Bridges", "Voices", "Minds", "Roots", "Stories", "Heroes",
             "Makers", "Keys", "Windows", "Footprints", "Seeds", "Journeys", "Friends",
             "Detectives", "Citizens", "Scientists", "Planets", "Treasures", "Gardens",
             "Pioneers"]
TOOLS = ["Padlet", "Canva", "Genially", "Scratch", "Book Creator", "Kahoot!", "Google Earth",
         "Wakelet", "Tinkercad", "Mentimeter", "StoryJumper", "MakeCode", "TwinBoard"]
PRODUCTS = ["e-book", "exhibition", "video", "podcast", "calendar", "board game",
            "recipe book", "digital map", "song", "magazine"]
MONTHS = ["September", "October", "November", "January", "February", "March"]


def make_posting(rng, author, country_idx):
    R, choice, randint, sample = rng.random, rng.choice, rng.randint, rng.sample
    c = COUNTRY_LIST[country_idx]
    scope = "european" if R() < 0.65 else "national"
    topics = sample(TOPICS, 1 if R() < 0.4 else 2 if R() < 0.7 else 3)
    p1 = choice(TOPIC_PHRASES[topics[0]])
    p2 = choice(TOPIC_PHRASES[topics[-1]])
    if p2 == p1:
        p2 = choice(TOPIC_PHRASES[choice(TOPICS)])
    school, age_idx, (a, b) = choice(SCHOOLS)
    ages = [AGES[i] for i in age_idx]
    if len(ages) > 1 and R() < 0.5:
        ages = [choice(ages)]
    ages_text = f"{a}-{b}"
    city = choice(c.cities)[0]
    country_name = COUNTRY_NAMES[c.code]
    act = choice(ACTIVITIES).format(p=p1)
    act2 = choice(ACTIVITIES).format(p=p2)
    pname = choice(NAME_ADJ) + " " + choice(NAME_NOUN)
    r = R()
    if r < 0.18:
        title = f"{pname}: {cap(p1)} across Europe"
    elif r < 0.32:
        title = f"{pname} – {p1} and {p2}"
    elif r < 0.46:
        title = f"Looking for partners: {p1} with pupils aged {ages_text}"
    elif r < 0.58:
        title = f"{cap(p1)} in our schools"
    elif r < 0.68:
        title = f"{pname} ({p1})"
    elif r < 0.78:
        title = f"{cap(p1)}, {p2} and us"
    elif r < 0.88:
        title = f"Let's talk about {p1}!"
    else:
        title = f"{pname}: {cap(act)}"
    r = R()
    if r < 0.25:
        summary = f"Looking for partners for a project on {p1} and {p2}."
    elif r < 0.45:
        summary = f"A {randint(2, 10)}-month project in which pupils aged {ages_text} {act}."
    elif r < 0.7:
        summary = (f"We are {school} from {city} ({country_name}) looking for "
                   f"{randint(2, 5)} partner schools to {act}.")
    elif r < 0.85:
        summary = f"Pupils {act} and share the results on TwinSpace."
    else:
        summary = f"An eTwinning project on {p1} for pupils aged {ages_text}."
    subjects = []
    for _ in range(1 if R() < 0.5 else randint(2, 3)):
        s = SUBJECT_CODES[bisect.bisect_right(SUBJECT_CUM, R() * SUBJECT_CUM[-1])]
        if s not in subjects:
            subjects.append(s)
    comps = sample(COMPETENCES, randint(1, 3))
    native = c.langs[0]
    if scope == "european":
        langs = ["en"] if native == "en" else (["en", native] if R() < 0.4 else ["en"])
        if R() < 0.1:
            extra = choice(("fr", "de", "es", "it"))
            if extra not in langs:
                langs.append(extra)
    else:
        langs = [native] if (native == "en" or R() < 0.8) else [native, "en"]
    subj_names = [SUBJECTS[s][1] or "foreign languages" for s in subjects]
    sj = subj_names[0] if len(subj_names) == 1 else f"{subj_names[0]} and {subj_names[1]}"
    k = randint(2, 4)
    pool = [
        f"We are {school} in {city}, {country_name}, and our pupils are {ages_text} years old.",
        f"Our pupils will {act} and then {act2}.",
        f"We plan monthly online meetings, a shared {choice(TOOLS)} board and a final "
        f"{choice(PRODUCTS)}.",
        f"The project links {sj} and develops {COMPETENCE_TEXT[comps[0]]} skills.",
        f"The working language is {LANGUAGE_NAMES[langs[0]]}.",
        f"Partner schools should have pupils of a similar age and be able to start in "
        f"{choice(MONTHS)}.",
        f"We will use {choice(TOOLS)}, {choice(TOOLS)} and {choice(TOOLS)}.",
        f"Each school will present {p2} in its own region.",
        "At the end we will celebrate together with an online event on Europe Day.",
        (f"The project is open to {k} or {k + 1} schools; all partners must be from "
         f"{country_name}." if scope == "national" else
         f"The project is open to {k} or {k + 1} schools from any eTwinning country."),
    ]
    chosen = sorted(sample(range(len(pool)), randint(2, 5)))
    description = " ".join(pool[i] for i in chosen)
    return {
        "author": author,
        "scope": scope,
        "country": c.code,
        "title": title,
        "summary": summary,
        "description": description,
        "languages": langs,
        "subjects": subjects,
        "topics": topics,
        "key_competences": comps,
        "pupil_ages": ages,
    }


# ---------------------------------------------------------------------------------------
# Queries

PUNCT = ".,:;!?()\"“”«»–—'’"


def content_words(text):
    out = []
    for w in text.split():
        w = w.strip(PUNCT)
        if len(w) < 4 or w.lower() in STOP or any(ch.isdigit() for ch in w):
            continue
        out.append(w)
    return out


def name_words(part):
    # Particles ("De", "Van", "El") make poor one-word searches; keep real name words.
    ws = [w for w in part.split() if len(w) > 2 and w.lower() not in
          ("van", "der", "den", "von", "ben", "abu", "ait", "mac")]
    return ws or part.split()


def people_filter(rng, rec):
    r = rng.random()
    if r < 0.35:
        return {"country": rec["country"]}
    if r < 0.55 and rec["subjects"]:
        return {"subject": rng.choice(rec["subjects"])}
    if r < 0.75:
        return {"language": rng.choice(rec["languages"])}
    if r < 0.87:
        return {"member_type": rec["member_type"]}
    if rec["available_for_projects"]:
        return {"available": "true"}
    return {"country": rec["country"]}


def posting_filter(rng, rec):
    r = rng.random()
    if r < 0.25:
        return {"subject": rng.choice(rec["subjects"])}
    if r < 0.45:
        return {"topic": rng.choice(rec["topics"])}
    if r < 0.65:
        return {"age": rng.choice(rec["pupil_ages"])}
    if r < 0.8:
        return {"language": rng.choice(rec["languages"])}
    if r < 0.9:
        return {"scope": rec["scope"]}
    return {"competence": rng.choice(rec["key_competences"])}


def shape(pairs):
    return {"plain": [{"q": q, "filters": {}} for q, _ in pairs],
            "filtered": [{"q": q, "filters": f} for q, f in pairs]}


def people_queries(qrng, cand, recorded, rare_at):
    """cand: shape -> candidate profile indexes, in sampling order."""
    out = {}
    # one word: a first name or a surname word of a random profile
    pairs = []
    for idx in cand["one_word"]:
        rec, first, surname, _ = recorded[idx]
        words = name_words(first) if qrng.random() < 0.5 else name_words(surname)
        pairs.append((qrng.choice(words), people_filter(qrng, rec)))
        if len(pairs) == QUERIES_PER_SHAPE:
            break
    # two words: first name + surname word
    pairs2 = []
    for idx in cand["two_words"]:
        rec, first, surname, _ = recorded[idx]
        q = name_words(first)[0] + " " + qrng.choice(name_words(surname))
        pairs2.append((q, people_filter(qrng, rec)))
        if len(pairs2) == QUERIES_PER_SHAPE:
            break
    # three words: first + surname + the city or another word of the bio
    pairs3 = []
    for idx in cand["three_words"]:
        rec, first, surname, city = recorded[idx]
        if not rec["bio"]:
            continue
        words = [w for w in content_words(rec["bio"]) if len(w) >= 5]
        city_words = [w for w in (city or "").split() if len(w) > 2]
        if city_words and city in rec["bio"] and (qrng.random() < 0.5 or not words):
            third = max(city_words, key=len)
        elif words:
            third = qrng.choice(words)
        else:
            continue
        q = name_words(first)[0] + " " + qrng.choice(name_words(surname)) + " " + third
        pairs3.append((q, people_filter(qrng, rec)))
        if len(pairs3) == QUERIES_PER_SHAPE:
            break
    # A few single-result searches: the distinctive rare surnames, alone and with the
    # first name, at random places.
    rare_items = sorted(rare_at.items())
    for k, (idx, sname) in enumerate(rare_items[:6]):
        rec, first, _, _ = recorded[idx]
        pairs[qrng.randrange(len(pairs))] = (sname, people_filter(qrng, rec))
        if k < 4:
            pairs2[qrng.randrange(len(pairs2))] = (name_words(first)[0] + " " + sname,
                                                    people_filter(qrng, rec))
    out["one_word"], out["two_words"], out["three_words"] = (
        shape(pairs), shape(pairs2), shape(pairs3))
    return out


def posting_queries(qrng, postings):
    out = {}
    for name, n in (("one_word", 1), ("two_words", 2), ("three_words", 3)):
        pairs = []
        while len(pairs) < QUERIES_PER_SHAPE:
            rec = postings[qrng.randrange(len(postings))]
            title_w = content_words(rec["title"])
            both = title_w + content_words(rec["summary"])
            if n == 1:
                src = both
            elif n == 2:
                src = title_w if len(title_w) >= 2 and qrng.random() < 0.7 else both
            else:
                src = both
            if len(src) < n:
                continue
            start = qrng.randrange(len(src) - n + 1)
            words = src[start:start + n]
            if len({w.lower() for w in words}) < n:
                continue
            pairs.append((" ".join(words), posting_filter(qrng, rec)))
        out[name] = shape(pairs)
    return out


# ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profiles", type=int, default=1_200_000)
    ap.add_argument("--postings", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes for the profiles (the output does not depend on it)")
    args = ap.parse_args()
    if args.profiles < 2000 or args.postings < 100:
        ap.error("need at least 2000 profiles and 100 postings")
    os.makedirs(args.out, exist_ok=True)
    t0 = time.monotonic()

    qrng = random.Random(f"twinhub-bench:{args.seed}:queries")
    cand = {
        "one_word": [qrng.randrange(args.profiles) for _ in range(QUERIES_PER_SHAPE)],
        "two_words": [qrng.randrange(args.profiles) for _ in range(QUERIES_PER_SHAPE)],
        "three_words": [qrng.randrange(args.profiles) for _ in range(4 * QUERIES_PER_SHAPE)],
    }
    rare_idx = set()
    while len(rare_idx) < len(N.RARE_SURNAMES):
        rare_idx.add(qrng.randrange(args.profiles))
    RARE_AT.update(zip(sorted(rare_idx), [s for s, _ in N.RARE_SURNAMES]))
    for lst in cand.values():
        WANTED.update((i, True) for i in lst)
    WANTED.update((i, True) for i in RARE_AT)

    jobs = [(args.seed, k, s, min(s + CHUNK, args.profiles))
            for k, s in enumerate(range(0, args.profiles, CHUNK))]
    countries = bytearray()
    recorded = {}
    size = 0
    with open(os.path.join(args.out, "profiles.jsonl"), "wb") as f:
        if args.workers > 1:
            with Pool(args.workers) as pool:
                results = pool.imap(gen_chunk, jobs)
                for k, data, cs, rec in results:
                    f.write(data)
                    size += len(data)
                    countries += cs
                    recorded.update(rec)
                    print(f"profiles: {min((k + 1) * CHUNK, args.profiles)}", file=sys.stderr,
                          end="\r")
        else:
            for job in jobs:
                k, data, cs, rec = gen_chunk(job)
                f.write(data)
                size += len(data)
                countries += cs
                recorded.update(rec)
    t_profiles = time.monotonic() - t0
    print(file=sys.stderr)
    print(f"profiles: {args.profiles} in {t_profiles:.1f} s ({size / 1e6:.0f} MB)",
          file=sys.stderr)

    prng = random.Random(f"twinhub-bench:{args.seed}:postings")
    postings = []
    with open(os.path.join(args.out, "postings.jsonl"), "w", encoding="utf-8") as f:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for _ in range(args.postings):
            # Some teachers post a lot: authors are skewed towards the first of each block.
            author = prng.randrange(args.profiles)
            if prng.random() < 0.3:
                author = prng.randrange(max(1, args.profiles // 50))
            p = make_posting(prng, author, countries[author])
            postings.append(p)
            f.write(dumps(p))
            f.write("\n")
    t_postings = time.monotonic() - t0 - t_profiles

    queries = {
        "people": people_queries(qrng, cand, recorded, RARE_AT),
        "postings": posting_queries(qrng, postings),
    }
    with open(os.path.join(args.out, "queries.json"), "w", encoding="utf-8") as f:
        json.dump(queries, f, ensure_ascii=False, indent=1)
        f.write("\n")

    total = time.monotonic() - t0
    by_country = {}
    for code, c in zip(COUNTRY_INDEX, COUNTRY_LIST):
        by_country[code] = 0
    for b in countries:
        by_country[COUNTRY_LIST[b].code] += 1
    meta = {
        "args": {"profiles": args.profiles, "postings": args.postings, "seed": args.seed},
        "seconds": {"profiles": round(t_profiles, 2), "postings": round(t_postings, 2),
                    "total": round(total, 2)},
        "bytes": {"profiles.jsonl": size,
                  "postings.jsonl": os.path.getsize(os.path.join(args.out, "postings.jsonl"))},
        "profiles_by_country": by_country,
        "rare_surnames": [{"profile": i, "display_name": recorded[i][0]["display_name"],
                           "surname": s} for i, s in sorted(RARE_AT.items())],
    }
    with open(os.path.join(args.out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"postings: {args.postings} in {t_postings:.1f} s; total {total:.1f} s -> {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
