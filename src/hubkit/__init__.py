"""hubkit: the Hugging Face Hub protocol in Python, client and self-hostable server."""

__version__ = "0.1.0"
