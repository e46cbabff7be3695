"""The machine learning the assistant runs locally: embeddings/ (the encoder) and generation/ (the drafting model), each a port with adapters, and the per-language qualification of a model."""
