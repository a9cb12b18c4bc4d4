# ruff: noqa: E501  (a translation table: one message per line reads better than wrapped strings)
"""The edition's own words in the reader's language: labels, colophon lines, summaries, role names.

Writers never spell editorial text themselves: they ask `message(lang, key, ...)` and compose from
the model (roles, languages, note counts, dates), so no writer holds words of one document.
Tables are keyed by BCP 47 tag; a tag falls back to its language (zh-Hant-TW -> zh-Hant, fr-CA ->
fr) and then to English. Language names come from CLDR (langcodes + language_data), not from here.
Adding a language is one column: a key of MESSAGES and ROLE_NAMES.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import langcodes

SUPPORTED = ("en", "zh-Hans", "zh-Hant", "fr", "de", "es", "ru")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents",
        "notes": "Notes",
        "note": "Note {label}",
        "back_to_text": "Back to the text of note {label}",
        "skip_to_text": "Skip to the text",
        "colophon": "Colophon",
        "editorial": "editorial",
        "editorial_title": "Title of this edition (editorial)",
        "title_page_note": "Title page: editorial matter of this edition, not part of the source text.",
        "editorial_note": "Headings in brackets and this page's frame are editorial matter of this edition; "
        "the text is transcribed as written.",
        "colophon_edition": "Edition: {statement}, version {version} ({identifier}).",
        "colophon_dated": "{role} dated {date}; this edition built {built}.",
        "colophon_undated": "This edition built {built}.",
        "colophon_sources": "Sources: sha256 {sha256}, the sha256 of the sorted `sha256sum` listing of {files}.",
        "colophon_transcribed": "Transcribed from: {source}.",
        "colophon_transcription": "Transcription: diplomatic; no character of the original added, dropped or "
        "corrected.",
        "colophon_contents": "Contents: {parts}; notes: {notes}.",
        "colophon_rights": "Rights: {rights}",
        "colophon_license": "Licence: {license}.",
        "colophon_cite": "How to cite this edition: {cite}",
        "part_in_language": "{role} ({language})",
        "list_separator": ", ",
        "a11y_summary": "All content is text: {parts}; notes: {notes}. There are no images, audio, video or "
        "scripts.",
        "a11y_navigation": "Headings, a table of contents, page navigation and a language mark on every part "
        "support navigation and correct pronunciation; each note and its reference are linked both ways.",
        "a11y_parallel": "Texts that translate each other follow one another, each whole in its language.",
        "other_language": "The same text in {language}",
        "page": "Page {label}",
        "page_list": "Pages",
        "landmarks": "Landmarks",
        "start": "Start of the text",
        "print_pages": "Page numbers are those of the archival PDF.",
    },
    "zh-Hans": {
        "contents": "目录",
        "notes": "注释",
        "note": "注{label}",
        "back_to_text": "返回注{label}在正文中的位置",
        "skip_to_text": "跳到正文",
        "colophon": "版本说明",
        "editorial": "编者所加",
        "editorial_title": "本版本标题（编者所加）",
        "title_page_note": "书名页：本版本的编者文字，不属于原文。",
        "editorial_note": "方括号中的标题和本页框架为本版本编者所加；正文照原文录入。",
        "colophon_edition": "版本：{statement}，版本号 {version}（{identifier}）。",
        "colophon_dated": "{role}日期：{date}；本版本生成于 {built}。",
        "colophon_undated": "本版本生成于 {built}。",
        "colophon_sources": "来源文件：sha256 {sha256}，即 {files} 按名称排序的 `sha256sum` 列表的 sha256。",
        "colophon_transcribed": "录自：{source}。",
        "colophon_transcription": "录入方式：照原文录入，未增、删或改动原文任何字符。",
        "colophon_contents": "内容：{parts}；注释：{notes} 条。",
        "colophon_rights": "权利：{rights}",
        "colophon_license": "许可：{license}。",
        "colophon_cite": "本版本的引用方式：{cite}",
        "part_in_language": "{role}（{language}）",
        "list_separator": "、",
        "a11y_summary": "全部内容均为文本：{parts}；注释：{notes} 条。不含图像、音频、视频或脚本。",
        "a11y_navigation": "标题、目录、页码导航和每一部分的语言标记便于导航和正确朗读；每条注释与其引用处双向链接。",
        "a11y_parallel": "互为译文的文本前后相继，各以其语言完整呈现。",
        "other_language": "同一文本的{language}版",
        "page": "第{label}页",
        "page_list": "页码",
        "landmarks": "地标",
        "start": "正文开始",
        "print_pages": "页码为存档 PDF 的页码。",
    },
    "zh-Hant": {
        "contents": "目錄",
        "notes": "註釋",
        "note": "註{label}",
        "back_to_text": "返回註{label}在正文中的位置",
        "skip_to_text": "跳到正文",
        "colophon": "版本說明",
        "editorial": "編者所加",
        "editorial_title": "本版本標題（編者所加）",
        "title_page_note": "書名頁：本版本的編者文字，不屬於原文。",
        "editorial_note": "方括號中的標題和本頁框架為本版本編者所加；正文照原文錄入。",
        "colophon_edition": "版本：{statement}，版本號 {version}（{identifier}）。",
        "colophon_dated": "{role}日期：{date}；本版本生成於 {built}。",
        "colophon_undated": "本版本生成於 {built}。",
        "colophon_sources": "來源檔案：sha256 {sha256}，即 {files} 按名稱排序的 `sha256sum` 列表的 sha256。",
        "colophon_transcribed": "錄自：{source}。",
        "colophon_transcription": "錄入方式：照原文錄入，未增、刪或改動原文任何字元。",
        "colophon_contents": "內容：{parts}；註釋：{notes} 條。",
        "colophon_rights": "權利：{rights}",
        "colophon_license": "授權：{license}。",
        "colophon_cite": "本版本的引用方式：{cite}",
        "part_in_language": "{role}（{language}）",
        "list_separator": "、",
        "a11y_summary": "全部內容均為文字：{parts}；註釋：{notes} 條。不含圖像、音訊、影片或指令碼。",
        "a11y_navigation": "標題、目錄、頁碼導覽和每一部分的語言標記便於導覽和正確朗讀；每條註釋與其引用處雙向連結。",
        "a11y_parallel": "互為譯文的文本前後相繼，各以其語言完整呈現。",
        "other_language": "同一文本的{language}版",
        "page": "第{label}頁",
        "page_list": "頁碼",
        "landmarks": "地標",
        "start": "正文開始",
        "print_pages": "頁碼為存檔 PDF 的頁碼。",
    },
    "fr": {
        "contents": "Sommaire",
        "notes": "Notes",
        "note": "Note {label}",
        "back_to_text": "Retour à l’appel de la note {label}",
        "skip_to_text": "Aller au texte",
        "colophon": "Colophon",
        "editorial": "ajout éditorial",
        "editorial_title": "Titre de cette édition (ajout éditorial)",
        "title_page_note": "Page de titre : matière éditoriale de cette édition, qui ne fait pas partie du texte source.",
        "editorial_note": "Les titres entre crochets et le cadre de cette page sont des ajouts éditoriaux de "
        "cette édition ; le texte est transcrit tel qu’il est écrit.",
        "colophon_edition": "Édition : {statement}, version {version} ({identifier}).",
        "colophon_dated": "{role} daté du {date} ; édition produite le {built}.",
        "colophon_undated": "Édition produite le {built}.",
        "colophon_sources": "Sources : sha256 {sha256}, le sha256 de la liste `sha256sum` triée de {files}.",
        "colophon_transcribed": "Transcrit depuis : {source}.",
        "colophon_transcription": "Transcription diplomatique : aucun caractère de l’original ajouté, supprimé ou "
        "corrigé.",
        "colophon_contents": "Contenu : {parts} ; notes : {notes}.",
        "colophon_rights": "Droits : {rights}",
        "colophon_license": "Licence : {license}.",
        "colophon_cite": "Pour citer cette édition : {cite}",
        "part_in_language": "{role} ({language})",
        "list_separator": ", ",
        "a11y_summary": "Tout le contenu est textuel : {parts} ; notes : {notes}. Ni images, ni audio, ni vidéo, "
        "ni scripts.",
        "a11y_navigation": "Titres, table des matières, navigation par page et marque de langue sur chaque partie "
        "facilitent la navigation et la prononciation ; chaque note et son appel sont liés dans les deux sens.",
        "a11y_parallel": "Les textes qui se traduisent l’un l’autre se suivent, chacun entier dans sa langue.",
        "other_language": "Le même texte en {language}",
        "page": "Page {label}",
        "page_list": "Pages",
        "landmarks": "Repères",
        "start": "Début du texte",
        "print_pages": "Les numéros de page sont ceux du PDF d’archivage.",
    },
    "de": {
        "contents": "Inhalt",
        "notes": "Anmerkungen",
        "note": "Anmerkung {label}",
        "back_to_text": "Zurück zur Stelle von Anmerkung {label}",
        "skip_to_text": "Zum Text springen",
        "colophon": "Impressum",
        "editorial": "redaktionell",
        "editorial_title": "Titel dieser Ausgabe (redaktionell)",
        "title_page_note": "Titelseite: redaktioneller Teil dieser Ausgabe, nicht Teil des Quelltexts.",
        "editorial_note": "Überschriften in eckigen Klammern und der Rahmen dieser Seite sind redaktionelle "
        "Zusätze dieser Ausgabe; der Text ist wie geschrieben transkribiert.",
        "colophon_edition": "Ausgabe: {statement}, Version {version} ({identifier}).",
        "colophon_dated": "{role} vom {date}; diese Ausgabe erstellt am {built}.",
        "colophon_undated": "Diese Ausgabe erstellt am {built}.",
        "colophon_sources": "Quellen: sha256 {sha256}, der sha256 der sortierten `sha256sum`-Liste von {files}.",
        "colophon_transcribed": "Transkribiert aus: {source}.",
        "colophon_transcription": "Transkription: diplomatisch; kein Zeichen des Originals hinzugefügt, "
        "entfernt oder berichtigt.",
        "colophon_contents": "Inhalt: {parts}; Anmerkungen: {notes}.",
        "colophon_rights": "Rechte: {rights}",
        "colophon_license": "Lizenz: {license}.",
        "colophon_cite": "Zitiervorschlag für diese Ausgabe: {cite}",
        "part_in_language": "{role} ({language})",
        "list_separator": ", ",
        "a11y_summary": "Der gesamte Inhalt ist Text: {parts}; Anmerkungen: {notes}. Keine Bilder, Audio, Videos "
        "oder Skripte.",
        "a11y_navigation": "Überschriften, Inhaltsverzeichnis, Seitennavigation und eine Sprachangabe an jedem "
        "Teil erleichtern Navigation und richtige Aussprache; jede Anmerkung ist mit ihrer Stelle in beide "
        "Richtungen verlinkt.",
        "a11y_parallel": "Texte, die einander übersetzen, folgen aufeinander, jeder vollständig in seiner Sprache.",
        "other_language": "Derselbe Text auf {language}",
        "page": "Seite {label}",
        "page_list": "Seiten",
        "landmarks": "Orientierungspunkte",
        "start": "Beginn des Textes",
        "print_pages": "Die Seitenzahlen sind die des Archiv-PDFs.",
    },
    "es": {
        "contents": "Índice",
        "notes": "Notas",
        "note": "Nota {label}",
        "back_to_text": "Volver a la llamada de la nota {label}",
        "skip_to_text": "Ir al texto",
        "colophon": "Colofón",
        "editorial": "editorial",
        "editorial_title": "Título de esta edición (editorial)",
        "title_page_note": "Portada: material editorial de esta edición, no forma parte del texto fuente.",
        "editorial_note": "Los títulos entre corchetes y el marco de esta página son material editorial de esta "
        "edición; el texto se transcribe tal como está escrito.",
        "colophon_edition": "Edición: {statement}, versión {version} ({identifier}).",
        "colophon_dated": "{role} fechado el {date}; esta edición generada el {built}.",
        "colophon_undated": "Esta edición generada el {built}.",
        "colophon_sources": "Fuentes: sha256 {sha256}, el sha256 de la lista `sha256sum` ordenada de {files}.",
        "colophon_transcribed": "Transcrito de: {source}.",
        "colophon_transcription": "Transcripción diplomática: ningún carácter del original añadido, suprimido o "
        "corregido.",
        "colophon_contents": "Contenido: {parts}; notas: {notes}.",
        "colophon_rights": "Derechos: {rights}",
        "colophon_license": "Licencia: {license}.",
        "colophon_cite": "Cómo citar esta edición: {cite}",
        "part_in_language": "{role} ({language})",
        "list_separator": ", ",
        "a11y_summary": "Todo el contenido es texto: {parts}; notas: {notes}. No hay imágenes, audio, vídeo ni "
        "scripts.",
        "a11y_navigation": "Encabezados, índice, navegación por páginas y una marca de idioma en cada parte "
        "facilitan la navegación y la pronunciación correcta; cada nota y su llamada están enlazadas en ambos "
        "sentidos.",
        "a11y_parallel": "Los textos que se traducen entre sí van uno tras otro, cada uno completo en su idioma.",
        "other_language": "El mismo texto en {language}",
        "page": "Página {label}",
        "page_list": "Páginas",
        "landmarks": "Puntos de referencia",
        "start": "Comienzo del texto",
        "print_pages": "Los números de página son los del PDF de archivo.",
    },
    "ru": {
        "contents": "Содержание",
        "notes": "Примечания",
        "note": "Примечание {label}",
        "back_to_text": "Назад к месту примечания {label}",
        "skip_to_text": "Перейти к тексту",
        "colophon": "Выходные сведения",
        "editorial": "от издателя",
        "editorial_title": "Название этого издания (от издателя)",
        "title_page_note": "Титульный лист: редакционный материал этого издания, не часть исходного текста.",
        "editorial_note": "Заголовки в квадратных скобках и оформление этой страницы добавлены изданием; текст "
        "воспроизведён как написан.",
        "colophon_edition": "Издание: {statement}, версия {version} ({identifier}).",
        "colophon_dated": "{role}, дата: {date}; издание создано {built}.",
        "colophon_undated": "Издание создано {built}.",
        "colophon_sources": "Источники: sha256 {sha256}, sha256 отсортированного списка `sha256sum` файлов "
        "{files}.",
        "colophon_transcribed": "Источник текста: {source}.",
        "colophon_transcription": "Транскрипция дипломатическая: ни один знак оригинала не добавлен, не удалён и "
        "не исправлен.",
        "colophon_contents": "Состав: {parts}; примечаний: {notes}.",
        "colophon_rights": "Права: {rights}",
        "colophon_license": "Лицензия: {license}.",
        "colophon_cite": "Как цитировать это издание: {cite}",
        "part_in_language": "{role} ({language})",
        "list_separator": ", ",
        "a11y_summary": "Всё содержимое — текст: {parts}; примечаний: {notes}. Изображений, аудио, видео и "
        "скриптов нет.",
        "a11y_navigation": "Заголовки, оглавление, навигация по страницам и отметка языка у каждой части "
        "облегчают навигацию и правильное произношение; каждое примечание и его знак связаны ссылками в обе "
        "стороны.",
        "a11y_parallel": "Тексты, переводящие друг друга, следуют один за другим, каждый целиком на своём языке.",
        "other_language": "Тот же текст: {language}",
        "page": "Страница {label}",
        "page_list": "Страницы",
        "landmarks": "Ориентиры",
        "start": "Начало текста",
        "print_pages": "Номера страниц соответствуют архивному PDF.",
    },
}

# What each role is called, per language: nouns, lower case where the language writes them so.
ROLE_NAMES: dict[str, dict[str, str]] = {
    "letter": {"en": "letter", "zh-Hans": "信函", "zh-Hant": "信函", "fr": "lettre", "de": "Brief", "es": "carta", "ru": "письмо"},
    "statement": {"en": "statement", "zh-Hans": "声明", "zh-Hant": "聲明", "fr": "déclaration", "de": "Erklärung", "es": "declaración", "ru": "заявление"},
    "declaration": {"en": "declaration", "zh-Hans": "宣言", "zh-Hant": "宣言", "fr": "déclaration", "de": "Deklaration", "es": "declaración", "ru": "декларация"},
    "treaty": {"en": "treaty", "zh-Hans": "条约", "zh-Hant": "條約", "fr": "traité", "de": "Vertrag", "es": "tratado", "ru": "договор"},
    "convention": {"en": "convention", "zh-Hans": "公约", "zh-Hant": "公約", "fr": "convention", "de": "Übereinkommen", "es": "convención", "ru": "конвенция"},
    "resolution": {"en": "resolution", "zh-Hans": "决议", "zh-Hant": "決議", "fr": "résolution", "de": "Resolution", "es": "resolución", "ru": "резолюция"},
    "law": {"en": "law", "zh-Hans": "法律", "zh-Hant": "法律", "fr": "loi", "de": "Gesetz", "es": "ley", "ru": "закон"},
    "report": {"en": "report", "zh-Hans": "报告", "zh-Hant": "報告", "fr": "rapport", "de": "Bericht", "es": "informe", "ru": "доклад"},
    "article": {"en": "article", "zh-Hans": "文章", "zh-Hant": "文章", "fr": "article", "de": "Artikel", "es": "artículo", "ru": "статья"},
    "chapter": {"en": "chapter", "zh-Hans": "章", "zh-Hant": "章", "fr": "chapitre", "de": "Kapitel", "es": "capítulo", "ru": "глава"},
    "section": {"en": "section", "zh-Hans": "节", "zh-Hant": "節", "fr": "section", "de": "Abschnitt", "es": "sección", "ru": "раздел"},
    "speech": {"en": "speech", "zh-Hans": "讲话", "zh-Hant": "講話", "fr": "discours", "de": "Rede", "es": "discurso", "ru": "речь"},
    "preface": {"en": "preface", "zh-Hans": "序言", "zh-Hant": "序言", "fr": "préface", "de": "Vorwort", "es": "prefacio", "ru": "предисловие"},
    "introduction": {"en": "introduction", "zh-Hans": "引言", "zh-Hant": "引言", "fr": "introduction", "de": "Einleitung", "es": "introducción", "ru": "введение"},
    "appendix": {"en": "appendix", "zh-Hans": "附录", "zh-Hant": "附錄", "fr": "annexe", "de": "Anhang", "es": "apéndice", "ru": "приложение"},
    "poem": {"en": "poem", "zh-Hans": "诗", "zh-Hant": "詩", "fr": "poème", "de": "Gedicht", "es": "poema", "ru": "стихотворение"},
    "essay": {"en": "essay", "zh-Hans": "文章", "zh-Hant": "文章", "fr": "essai", "de": "Essay", "es": "ensayo", "ru": "эссе"},
    "book": {"en": "book", "zh-Hans": "书", "zh-Hant": "書", "fr": "livre", "de": "Buch", "es": "libro", "ru": "книга"},
}  # fmt: skip


@cache
def table_language(lang: str) -> str:
    """The table that serves this BCP 47 tag: itself, its language and script, its language, or English."""
    if lang in MESSAGES:
        return lang
    parsed = langcodes.Language.get(lang)
    if parsed.language == "zh":
        script = parsed.script or ("Hant" if parsed.territory in ("TW", "HK", "MO") else "Hans")
        return f"zh-{script}"
    return parsed.language if parsed.language in MESSAGES else "en"


def message(lang: str, key: str, **values: object) -> str:
    """The editorial text `key` in this language, with its {placeholders} filled."""
    return MESSAGES[table_language(lang)][key].format(**values)


def role_name(lang: str, role: str, *, capital: bool = False) -> str:
    """What a role is called in this language ("letter", "信函"), capitalised at a sentence start."""
    name = ROLE_NAMES[role][table_language(lang)]
    return name[:1].upper() + name[1:] if capital else name


def language_name(tag: str, in_lang: str) -> str:
    """The name of language `tag` in language `in_lang`, from CLDR ("Chinese (Simplified)", "中文（简体）")."""
    return langcodes.Language.get(tag).display_name(table_language(in_lang))


def join(lang: str, items: Iterable[str]) -> str:
    """Items listed the way this language lists them."""
    return message(lang, "list_separator").join(items)
