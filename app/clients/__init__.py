"""Typed async httpx clients, one package per upstream; they depend on httpx and pydantic only."""
