"""vpsa: a rules-based assessment engine for the Voluntary Principles on Security and Human Rights."""

__version__ = "0.1.0"
