"""Text helpers every layer shares: folding for matching, sentences, placeholders."""
