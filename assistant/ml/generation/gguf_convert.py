"""A Q8_0 copy of a Q4_1 GGUF, made once: llama.cpp reads it about twice as fast.

The embedded model ships as Q4_1, which the prebuilt xllamacpp CPU wheel has no fast
batched kernel for: measured on a 2-core Xeon, a 466-token prompt read at ~50 tokens/s
in Q4_1 and ~100-120 in Q8_0 (Q4_0 the same), and writing went from ~14 to ~24
tokens/s. Q8_0 holds every Q4_1 weight almost exactly (8 bits per weight where Q4_1
has about 5), so the replies do not change in kind. The copy takes about 10 s, once
per machine, with the `gguf` package transformers already needs; other tensors are
copied as they are.
"""

from __future__ import annotations

from pathlib import Path

SLOW_TYPES = ("Q4_1",)  # tensor types rewritten as Q8_0


def q8_0_copy(gguf: Path, cache_root: Path) -> Path:
    """The cached Q8_0 copy of ``gguf`` (made now if missing)."""
    target = cache_root / "gguf" / f"{gguf.stem}-{gguf.stat().st_size}-q8_0.gguf"
    if target.is_file():
        return target
    import numpy as np
    from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter
    from gguf.quants import dequantize, quantize

    print(f"Making a faster Q8_0 copy of {gguf.name} once in {target} (about 10 s)...", flush=True)
    reader = GGUFReader(gguf)
    arch = reader.fields["general.architecture"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    writer = GGUFWriter(partial, bytes(arch.parts[arch.data[0]]).decode())
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":  # the writer adds these itself
            continue
        kind = field.types[0]
        if kind == GGUFValueType.ARRAY:
            item = field.types[-1]
            if item == GGUFValueType.STRING:
                values: list[object] = [bytes(field.parts[i]) for i in field.data]
            else:
                values = [field.parts[i].tolist()[0] for i in field.data]
            writer.add_key_value(key, values, kind, sub_type=item)
        elif kind == GGUFValueType.STRING:
            writer.add_key_value(key, bytes(field.parts[field.data[0]]), kind)
        else:
            writer.add_key_value(key, field.parts[field.data[0]].tolist()[0], kind)
    q8 = GGMLQuantizationType.Q8_0
    for tensor in reader.tensors:
        shape = [int(x) for x in reversed(tensor.shape.tolist())]  # GGUF lists dimensions innermost first
        if tensor.tensor_type.name in SLOW_TYPES and shape[-1] % 32 == 0:
            weights = dequantize(tensor.data, tensor.tensor_type).reshape(shape).astype(np.float32)
            data = quantize(weights, q8)
            writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=q8)
        else:
            writer.add_tensor(tensor.name, tensor.data, raw_shape=tensor.data.shape, raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(target)  # atomic: a crash mid-write never leaves a half file
    return target
