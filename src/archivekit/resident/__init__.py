"""The resident build server (docs/server.md): `client` hands a command to the server of this
installation and environment, or starts one; `server` runs each command in a fork of a process that
has the libraries imported and the fonts read. See docs/server.md."""
