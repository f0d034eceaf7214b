"""Analysis per language, one script family at a time: tokens, their offsets, and a cited answer
over a tiny corpus in that language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import Document, Engine, EngineOptions, OptionError
from retrieval.analysis import analyzer_for, identify
from retrieval.splitting.sentences import split_sentences

# (language, a tiny corpus, a question, the sentence that answers it, the words the question's
# terms light up in that sentence)
CASES = [
    (
        "de",
        [
            "# Warschau\n\nDie Einwohnerzahl Warschaus lag im Jahr 1901 bei 711.988. "
            "Die Stadt liegt an der Weichsel.",
            "# Berlin\n\nBerlin ist die Hauptstadt Deutschlands. Die Spree fließt durch Berlin.",
        ],
        "Wie viele Einwohner hatte Warschau 1901?",
        "Die Einwohnerzahl Warschaus lag im Jahr 1901 bei 711.988.",
        ["Einwohnerzahl", "Warschaus", "1901"],  # "einwoh": cut to six letters
    ),
    (
        "ru",
        [
            "# Москва\n\nМосква — столица России. В Москве живёт более двенадцати миллионов "
            "человек.",
            "# Волга\n\nВолга — самая длинная река Европы. Она впадает в Каспийское море.",
        ],
        "Куда впадает Волга?",
        "Она впадает в Каспийское море.",
        ["впадает"],
    ),
    (
        "el",
        [
            "# Αθήνα\n\nΗ Αθήνα είναι η πρωτεύουσα της Ελλάδας. Ο Παρθενώνας βρίσκεται στην "
            "Ακρόπολη.",
            "# Θεσσαλονίκη\n\nΗ Θεσσαλονίκη είναι η δεύτερη μεγαλύτερη πόλη της χώρας.",
        ],
        "Πού βρίσκεται ο παρθενωνας;",  # no accent: folding finds Παρθενώνας
        "Ο Παρθενώνας βρίσκεται στην Ακρόπολη.",
        ["Παρθενώνας", "βρίσκεται"],
    ),
    (
        "ar",
        [
            "# القاهرة\n\nالقاهرة هي عاصمة مصر. يمر نهر النيل عبر المدينة.",
            "# بيروت\n\nبيروت هي عاصمة لبنان وتقع على البحر الأبيض المتوسط.",
        ],
        "ما هي عاصمة لبنان؟",
        "بيروت هي عاصمة لبنان وتقع على البحر الأبيض المتوسط.",
        ["عاصمة", "لبنان"],
    ),
    (
        "hi",
        [
            "# दिल्ली\n\nदिल्ली भारत की राजधानी है। यमुना नदी दिल्ली से होकर बहती है।",
            "# मुंबई\n\nमुंबई महाराष्ट्र की राजधानी है। यह भारत का सबसे बड़ा शहर है।",
        ],
        "कौन सी नदी दिल्ली से होकर बहती है?",
        "यमुना नदी दिल्ली से होकर बहती है।",
        ["नदी", "दिल्ली", "होकर", "बहती"],
    ),
    (
        "zh",
        [
            "# 北京\n\n北京是中国的首都。故宫位于北京市中心。",
            "# 上海\n\n上海是中国最大的城市。黄浦江流经上海。",
        ],
        "故宫位于哪里？",
        "故宫位于北京市中心。",
        ["故宫", "位于"],
    ),
    (
        "th",
        [
            "# กรุงเทพ\n\nกรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย แม่น้ำเจ้าพระยาไหลผ่านกรุงเทพ",
            "# เชียงใหม่\n\nเชียงใหม่เป็นเมืองใหญ่ในภาคเหนือ มีวัดเก่าแก่มากมาย",
        ],
        "แม่น้ำอะไรไหลผ่านกรุงเทพ",
        "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย แม่น้ำเจ้าพระยาไหลผ่านกรุงเทพ",
        ["แม่น้ำ", "ไหลผ่าน", "กรุงเทพ"],
    ),
]


@pytest.mark.parametrize(("language", "texts", "question", "answer", "lit"), CASES)
def test_a_question_is_answered_and_cited_in_its_language(
    language: str, texts: list[str], question: str, answer: str, lit: list[str]
) -> None:
    documents = [Document(f"{n}.md", text, "", "utf-8") for n, text in enumerate(texts)]
    engine = Engine(documents, EngineOptions(language=language))
    result = engine.ask(question)
    assert result.answered, result
    assert result.sentences[0].text == answer
    assert result.citations[0].passage.source == "0.md" if answer in texts[0] else "1.md"
    assert result.language == language
    sentence = result.sentences[0]
    assert (
        engine.source_text(result.citations[0].passage.source)[sentence.start : sentence.end]
        == sentence.text
    )
    spans = analyzer_for(language).spans(answer, result.query_terms)
    assert [answer[s:e] for s, e in spans] == lit


def test_latin_folding_stemming_and_offsets() -> None:
    spanish = analyzer_for("es")
    # stemmed, cut to six letters, accents folded after stemming
    assert spanish.terms("¿Cuántas canciones tiene la nación?") == ["cancio", "nacion"]
    assert spanish.terms("cuantas canciones, nacion") == ["cancio", "nacion"]  # typed bare
    text = "La Nación publicó canciones."
    assert [text[s:e] for s, e in spanish.spans(text, ["nacion", "cancio"])] == [
        "Nación", "canciones",
    ]  # fmt: skip
    # English: accents fold too, so "Gospic" finds "Gospić"; ASCII text is analysed as ever.
    english = analyzer_for("en")
    assert english.terms("Gospić, café") == english.terms("Gospic cafe") == ["gospic", "cafe"]
    assert english.terms("What is the city council passing?") == ["citi", "council", "pass"]


def test_letters_a_language_keeps_are_not_folded() -> None:
    swedish = analyzer_for("sv")
    assert swedish.terms("Gospić") == ["gospic"]
    assert "å" in "".join(swedish.terms("många båtar"))
    turkish = analyzer_for("tr")
    assert turkish.terms("şehir") == ["şehir"]


def test_cyrillic_greek_and_arabic_normalisation() -> None:
    russian = analyzer_for("ru")
    assert russian.terms("ёлка") == russian.terms("елка")
    greek = analyzer_for("el")
    assert greek.terms("ΠΌΛΗΣ") == greek.terms("πόλης") == greek.terms("πολης")  # final sigma
    arabic = analyzer_for("ar")
    assert arabic.terms("الطالبـــة") == arabic.terms("الطالبة")  # tatweel
    assert arabic.terms("أحمد") == arabic.terms("احمد") == arabic.terms("إحمد")  # alef forms
    assert arabic.terms("كَتَبَ") == arabic.terms("كتب")  # harakat
    assert arabic.terms("٣٠٨") == ["308"]  # Arabic-Indic digits


def test_devanagari_vowel_signs_stay_inside_words() -> None:
    hindi = analyzer_for("hi")
    text = "हिन्दी भाषा"
    assert hindi.words(text) == ["हिन्दी", "भाषा"]
    assert [text[s:e] for s, e in hindi.spans(text, hindi.terms(text))] == ["हिन्दी", "भाषा"]


def test_cjk_and_thai_segmentation_with_offsets() -> None:
    japanese = analyzer_for("ja")
    assert japanese.terms("東京タワー") == ["東京", "京タ", "タワ", "ワー"]
    chinese = analyzer_for("zh")
    assert chinese.terms("市长是谁") == ["市长"]  # 是 and 谁 are stopwords
    text = "丹佛市长是迈克尔·汉考克。"
    assert [text[s:e] for s, e in chinese.spans(text, chinese.terms("市长"))] == ["市长"]
    # Any analyzer cuts Chinese inside other text: a Chinese name in an English paragraph.
    assert "市长" in analyzer_for("en").terms("The mayor (市长) spoke.")
    thai = analyzer_for("th")
    text = "แม่น้ำไหลผ่านกรุงเทพ"
    assert thai.words(text) == ["แม่น้ำ", "ไหลผ่าน", "กรุงเทพ"]  # SARA AM kept whole
    assert [text[s:e] for s, e in thai.spans(text, thai.terms("กรุงเทพ"))] == ["กรุงเทพ"]


def test_sentences_end_at_cjk_arabic_and_devanagari_stops() -> None:
    text = "北京是首都。上海很大！你去过吗？"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "北京是首都。",
        "上海很大！",
        "你去过吗？",
    ]
    arabic = "هل تعرف القاهرة؟ إنها كبيرة."
    assert [arabic[s:e] for s, e in split_sentences(arabic)] == ["هل تعرف القاهرة؟", "إنها كبيرة."]
    hindi = "दिल्ली राजधानी है। मुंबई बड़ा है।"
    assert len(split_sentences(hindi)) == 2
    german = "Am 7. Februar 2016 spielten sie. Danach nicht."
    assert [german[s:e] for s, e in split_sentences(german, "de")] == [
        "Am 7. Februar 2016 spielten sie.", "Danach nicht.",
    ]  # fmt: skip


def test_the_language_is_identified_and_reported() -> None:
    german = "Die Stadt liegt an einem Fluss, und im Sommer kommen viele Besucher. " * 8
    found = identify([german])
    assert found.language == "de" and found.share > 0.9
    assert identify(["Hi."]).language == "en"  # too little text: English
    engine = Engine([Document("a.md", german, "", "utf-8")])
    assert engine.language.language == "de"
    assert engine.analyzer.language == "de"
    assert "German (de)" in engine.language.describe()


def test_a_mixed_corpus_is_analysed_as_its_dominant_language() -> None:
    german = "Die Stadt liegt an einem Fluss, und im Sommer kommen viele Besucher. " * 6
    english = "The river crosses the town and many visitors come in summer."
    documents = [Document(f"de{n}.md", german, "", "utf-8") for n in range(4)]
    documents.append(Document("en.md", english, "", "utf-8"))
    engine = Engine(documents)
    assert engine.language.language == "de"
    # The English document is still searchable, only not stemmed as English.
    answer = engine.ask("Which river crosses the town?")
    assert answer.hits[0].passage.source == "en.md"


def test_an_unknown_language_is_refused_politely() -> None:
    with pytest.raises(OptionError, match="language must be auto or one of"):
        EngineOptions(language="klingon")


_ANY_SCRIPT = st.text(
    alphabet=st.sampled_from(
        list("ab1.,' éßΣς-_\t\nёйåş")
        + list("Ωπόλη")
        + list("ـأإآةىكَتب٣")
        + list("हिन्दी।")
        + list("市长是谁。！")
        + list("แม่น้ำไทย")
        + ["\u0301", "\u200d", "🙂", "\ud800"]
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(_ANY_SCRIPT, st.sampled_from(["en", "de", "ru", "el", "ar", "hi", "zh", "ja", "th", "vi"]))
def test_any_text_in_any_analyzer_gives_terms_and_spans_inside_it(text: str, language: str) -> None:
    analyzer = analyzer_for(language)
    terms = analyzer.terms(text)
    assert terms == [t for chunk in text.split() for t in analyzer.chunk_terms(chunk)]
    for start, end in analyzer.spans(text, terms):
        assert 0 <= start < end <= len(text)


def test_a_question_in_another_language_than_the_corpus_is_answered_or_declined() -> None:
    documents = [Document("a.md", "# Refunds\n\nRefunds take thirty days.", "", "utf-8")]
    engine = Engine(documents, EngineOptions(language="en"))
    for question in ("退款需要多长时间？", "كم يستغرق الاسترداد؟", "Wie lange dauern Refunds?"):
        answer = engine.ask(question)
        assert answer.answered or answer.abstain_reason is not None
