"""Sociaal Domein Warehouse."""
