"""Xet storage formats: hashing, chunking, xorbs, shards and file reconstruction.

Pure functions over bytes, no HTTP and no database: see ``services/xet.py`` for the CAS logic
and ``routes/xet.py`` for the endpoints. Layouts follow ``shared/design/xet-protocol.md``.
"""
