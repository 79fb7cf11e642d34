"""The hub running its own models (``hubkit serve --inference``, extra ``hubkit[inference]``).

``catalog`` says which models are served and how (no heavy imports: listings use it);
``snapshot`` lays a model's files out of the hub's own storage; ``engine`` loads models (an LRU
within a memory budget) and runs them on a worker pool, with ``batching`` for embeddings and
``generation`` for token streams. The HTTP faces are in ``routes/inference.py``.
"""
