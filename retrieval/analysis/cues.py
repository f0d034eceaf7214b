"""Question words and answer cues per language, for the composer.

English's live in :mod:`retrieval.answering.compose` (where they were tuned). Here, for other
languages: the interrogatives (dropped from the question like stopwords: they are never in the
paragraph that answers) and the same three cues English has — a question asking "how many"
favours a sentence holding a number, "when" a year or a month, "who" a capitalised name (only in
scripts with capitals). Patterns run over the casefolded question and the raw sentence.
"""

from __future__ import annotations

import regex

QUESTION_WORDS: dict[str, tuple[str, ...]] = {
    "de": ("wer", "wen", "wem", "wessen", "was", "wann", "wo", "woher", "wohin", "warum",
           "wie", "viele", "viel", "wieviel", "wieviele", "welche", "welcher", "welches",
           "welchen", "welchem", "weshalb", "wodurch", "womit", "wofür", "worauf"),
    "es": ("qué", "quién", "quiénes", "cuál", "cuáles", "cuándo", "dónde", "cómo", "cuánto",
           "cuántos", "cuánta", "cuántas", "por qué", "adónde"),
    "fr": ("qui", "que", "quoi", "quel", "quelle", "quels", "quelles", "quand", "où",
           "comment", "combien", "pourquoi", "lequel", "laquelle", "lesquels"),
    "it": ("chi", "che", "cosa", "quale", "quali", "quando", "dove", "come", "quanto",
           "quanti", "quante", "quanta", "perché"),
    "pt": ("quem", "que", "qual", "quais", "quando", "onde", "como", "quanto", "quantos",
           "quanta", "quantas", "porque", "porquê"),
    "ro": ("cine", "ce", "care", "când", "unde", "cum", "cât", "câți", "câte", "câtă", "de ce"),
    "ru": ("кто", "кого", "кому", "кем", "что", "чего", "чем", "когда", "где", "куда",
           "откуда", "как", "какой", "какая", "какое", "какие", "каких", "каким", "какую",
           "сколько", "почему", "зачем", "чей", "чья", "чьи", "который", "которая"),
    "el": ("ποιος", "ποια", "ποιο", "ποιοι", "ποιες", "ποιον", "ποιων", "ποιου", "ποιας",
           "τι", "πότε", "πού", "πώς", "πόσο", "πόσα", "πόσοι", "πόσες", "πόση", "πόσους",
           "πόσων", "γιατί"),
    "tr": ("kim", "kimi", "kime", "kimin", "ne", "neyi", "neye", "nedir", "neler", "hangi",
           "hangisi", "nerede", "nereye", "nereden", "nasıl", "kaç", "kadar", "niçin",
           "neden", "zaman"),
    "ar": ("من", "ما", "ماذا", "متى", "أين", "كيف", "كم", "لماذا", "أي", "هل", "ماهو",
           "ماهي"),
    "hi": ("कौन", "किस", "किसने", "किसको", "किसे", "किसका", "किसकी", "किसके", "क्या",
           "कब", "कहाँ", "कहां", "कैसे", "कितना", "कितने", "कितनी", "क्यों", "कौनसा",
           "कौनसी", "कौनसे"),
    "vi": ("ai", "gì", "nào", "đâu", "sao", "mấy", "bao", "nhiêu", "khi"),
    "zh": ("谁", "什么", "哪", "哪里", "哪个", "哪些", "何时", "多少", "几", "怎么", "怎样",
           "为什么", "吗", "呢"),
    "th": ("ใคร", "อะไร", "ที่ไหน", "เมื่อไร", "เมื่อไหร่", "อย่างไร", "ทำไม", "เท่าไร",
           "เท่าไหร่", "กี่", "ไหน", "ใด"),
}  # fmt: skip

_NUMBER = r"\d"
_YEAR = r"(?<!\d)(?:1\d{3}|20\d\d)(?!\d)|\d+(?:-|\s)?(?:er|s|th|年|世纪|ปี)"
_CAPITALISED = r"(?<!^)(?<![.!?]\s)\b\p{Lu}\p{Ll}+"

_MONTHS = {
    "de": "januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    "diciembre|siglo",
    "fr": "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    "décembre|siècle",
    "it": "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|"
    "novembre|dicembre|secolo",
    "pt": "janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|"
    "dezembro|século",
    "ro": "ianuarie|februarie|martie|aprilie|mai|iunie|iulie|august|septembrie|octombrie|"
    "noiembrie|decembrie|secol",
    "ru": "январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|век",
    "el": "ιανουαρ|φεβρουαρ|μαρτ|απριλ|μαΐ|ιουν|ιουλ|αυγουστ|σεπτεμβρ|οκτωβρ|νοεμβρ|δεκεμβρ|αιών",
    "tr": "ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık|yüzyıl",
}

# (what the casefolded question says, what a sentence holding the answer looks like)
_ASKS: dict[str, tuple[tuple[str, str], ...]] = {
    "de": ((r"\bwie (viele?|hoch|lange?|alt|groß|oft|weit|schwer)\b|\bwieviele?\b|prozent",
            _NUMBER), (r"\bwann\b|\bin welchem jahr|\bwelche[sm]? (jahr|datum)", "date"),
           (r"^(wer|wem|wen|wessen)\b", "name")),
    "es": ((r"\bcu[aá]nt[oa]s?\b|porcentaje", _NUMBER),
           (r"\bcu[aá]ndo\b|\b(qu[eé]|cu[aá]l) (año|fecha|siglo)", "date"),
           (r"\bqui[eé]n(es)?\b", "name")),
    "fr": ((r"\bcombien\b|pourcentage", _NUMBER),
           (r"\bquand\b|\b(quelle|en quelle) (année|date)|\bquel siècle", "date"),
           (r"^qui\b", "name")),
    "it": ((r"\bquant[oiae]\b|percentuale", _NUMBER),
           (r"\bquando\b|\b(che|quale) (anno|data|secolo)", "date"), (r"^chi\b", "name")),
    "pt": ((r"\bquant[oa]s?\b|porcentagem|percentagem", _NUMBER),
           (r"\bquando\b|\b(que|qual) (ano|data|século)", "date"), (r"\bquem\b", "name")),
    "ro": ((r"\bc[aâ]t[ăei]?\b|\bc[aâ]ți\b|procent", _NUMBER),
           (r"\bc[aâ]nd\b|\b(ce|care) an\b", "date"), (r"^cine\b", "name")),
    "ru": ((r"\bсколько\b|процент", _NUMBER),
           (r"\bкогда\b|\bв как(ом|ой) (году|веке)|\bкакой год", "date"),
           (r"^(кто|кого|кому|кем|чей)\b", "name")),
    "el": ((r"\bπόσ[οαηει]|ποσοστ", _NUMBER),
           (r"\bπότε\b|\bποι[οα] (έτος|χρονιά|αιώνα)", "date"), (r"^ποι(ος|α|ον|οι)\b", "name")),
    "tr": ((r"\bkaç\b|\bne kadar\b|yüzde", _NUMBER),
           (r"\bne zaman\b|\bhangi (yıl|tarih|yüzyıl)", "date"), (r"\bkim(in|i|e)?\b", "name")),
    "ar": ((r"(^|\s)كم(\s|$)|نسبة", _NUMBER), (r"(^|\s)متى(\s|$)|(في )?أي (عام|سنة)", "date")),
    "hi": ((r"कितन[ाेी]|प्रतिशत", _NUMBER), (r"(^|\s)कब(\s|$)|किस (वर्ष|साल)", "date")),
    "vi": ((r"\bbao nhiêu\b|\bmấy\b|phần trăm", _NUMBER),
           (r"\bkhi nào\b|\bnăm nào\b|\bbao giờ\b|\blúc nào\b", "date"), (r"^ai\b", "name")),
    "zh": ((r"多少|几|多长|多久|多大|多高|百分", _NUMBER),
           (r"什么时候|哪一?年|何时|哪个世纪", "date")),
    "ja": ((r"いくつ|何人|どれくらい|何個|何パーセント", _NUMBER), (r"いつ|何年", "date")),
    "th": ((r"เท่าไ[รห]|กี่|ร้อยละ", _NUMBER), (r"เมื่อไ[รห]|ปี(ใด|ไหน|อะไร)|ศตวรรษ", "date")),
}  # fmt: skip


def _looks_like(kind: str, language: str) -> regex.Pattern[str]:
    if kind == "date":
        months = _MONTHS.get(language)
        pattern = _YEAR + (rf"|\b(?:{months})" if months else "")
        return regex.compile(pattern, regex.IGNORECASE)
    if kind == "name":
        return regex.compile(_CAPITALISED)
    return regex.compile(kind)


def cue_table(language: str) -> tuple[tuple[regex.Pattern[str], regex.Pattern[str]], ...]:
    """The language's cues: (question pattern, answer pattern) pairs, first match wins."""
    return tuple(
        (regex.compile(asks), _looks_like(kind, language)) for asks, kind in _ASKS.get(language, ())
    )
