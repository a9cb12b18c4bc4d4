"""Names the launcher, the CLI and the watcher share: the global flags and the build server's
switch. A module that imports nothing, since the launcher runs before every command and imports
the CLI to run it: the CLI or the watcher importing the launcher would be an import cycle."""

GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")  # may stand before or after the subcommand
SERVER_SWITCH = "ARCHIVEKIT_SERVER"  # on, off, or unset: on unless under CI (docs/server.md)
