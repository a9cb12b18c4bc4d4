"""archivekit: publish one canonical document as archival, accessible, print-ready editions."""

__version__ = "0.1.0"
