"""The stylesheet: no fonts, no fixed sizes, so the reading system's and the reader's settings win."""

CSS = """/* archivekit EPUB stylesheet: only relative sizes and generic families; no embedded fonts. */
body { margin: 0 1em; }
:lang(zh) { line-break: strict; }
p { margin: 0 0 0.8em 0; text-indent: 0; }
/* zh paragraphs open with a two-character indent, as print in that script sets them; others do not. */
section.part:lang(zh) p { text-indent: 2em; }
p.dateline { text-indent: 0; text-align: end; }
p.salutation, p.closing { text-indent: 0; }
section hgroup p.kicker { margin: 0; text-indent: 0; font-weight: bold; }
hgroup h1 { margin-top: 0.3em; }
/* Editorial matter (the edition's title, part title, colophon, report) is set apart from the text. */
.editorial, .editorial h1, .editorial h2, h1.editorial, h2.editorial { font-family: sans-serif; }
h1.editorial, h2.editorial { font-weight: normal; font-size: 1.1em; color: #444; }
section.colophon, section.report { font-size: 0.9em; }
a.noteref { vertical-align: super; font-size: 0.75em; line-height: 0; }
section.notes { border-top: 1px solid #888; margin-top: 1.5em; padding-top: 0.5em; font-size: 0.9em; }
aside p { text-indent: 0; }
a.backlink { margin-right: 0.5em; }
span[role="doc-pagebreak"] { display: inline; }
ul { margin: 0 0 0.8em 0; padding-left: 2em; }
li { margin-bottom: 0.4em; }
/* Marked lists: the markers are the source's characters (text, never counters). Marker and body side
   by side give a hanging indent whatever the marker's width; a nested list sits in its item's body. */
ol.marked { list-style: none; margin: 0 0 0.8em 0; padding: 0; }
ol.marked ol.marked { margin: 0.4em 0 0 0; }
ol.marked > li { display: flex; align-items: baseline; }
ol.marked > li > span.marker { flex: none; margin-right: 0.5em; }
ol.marked > li.tight > span.marker { margin-right: 0; }
ol.marked > li > div.item { flex: 1 1 0; min-width: 0; }
section.part ol.marked p, ol.marked p { text-indent: 0; }
ol.marked div.item > p:last-child { margin-bottom: 0; }
"""
