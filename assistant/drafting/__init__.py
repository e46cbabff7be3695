"""Drafting: prompt building, the model call, the guard, and the template fallback."""
