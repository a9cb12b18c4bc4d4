"""The stylesheet: no fonts, no fixed sizes, so the reading system's and the reader's settings win."""

CSS = """/* archivekit EPUB stylesheet: only relative sizes and generic families; no embedded fonts. */
body { margin: 0 1em; }
:lang(zh-Hans) { line-break: strict; }
p { margin: 0 0 0.8em 0; text-indent: 0; }
section.letter p, section.statement p { text-indent: 2em; }
section.statement:lang(en) p { text-indent: 0; }
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
"""
