"""The typesetting layer beneath the PDF writers: fonts, line breaking, layout, tagging, page profiles.

Every writer that draws pages (the archival PDF, the print edition, a large-print edition) calls
`layout.typeset()` with a page profile and gets back the bytes ReportLab wrote plus what a writer
needs to finish them (structure tree, outline, page starts). This package imports only
`archivekit.model`, `archivekit.errors`, ReportLab, fontTools and pikepdf: never a writer.
"""
