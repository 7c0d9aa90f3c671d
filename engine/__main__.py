"""`python -m engine` runs the vpsa command line."""

from engine.cli import main

if __name__ == "__main__":
    main(prog_name="vpsa")
