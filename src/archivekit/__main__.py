from archivekit.launch import run

# Guarded: a process pool started by "spawn" or "forkserver" re-imports the main module.
if __name__ == "__main__":
    run()
