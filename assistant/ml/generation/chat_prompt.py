"""Chat prompts token for token as transformers builds them, without importing torch.

The llamacpp backend must read exactly the prompt the transformers backend reads, or
the two could not be compared and a draft would depend on the backend. transformers'
``AutoTokenizer`` gives that, but importing it pulls in torch (about 4 s and 400 MB),
which the llamacpp backend otherwise never needs. So we use the same two pieces
transformers itself uses: its own chat-template renderer (``render_jinja_template``,
importable without torch) and the Rust ``tokenizers`` library on the model's
``tokenizer.json``. tests/core/test_llamacpp_backend.py checks the ids against
``AutoTokenizer.apply_chat_template``.

A GGUF file carries its tokenizer, but reading it through transformers takes about
10 s, so it is read once and saved (``tokenizer_dir``), like the embedded model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.domain.errors import BackendError


def tokenizer_dir(gguf: Path, cache_root: Path) -> Path:
    """A folder with the GGUF's tokenizer saved by transformers, made once per file."""
    target = cache_root / "tokenizers" / f"{gguf.stem}-{gguf.stat().st_size}"
    if (target / "tokenizer.json").is_file():
        return target
    from transformers import AutoTokenizer

    print(f"Reading the tokenizer of {gguf.name} once into {target} (about 10 s)...", flush=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except (OSError, ValueError, KeyError) as exc:
        raise BackendError(f"cannot read the tokenizer of {gguf}: {str(exc).splitlines()[0]}",
                           "check that ASSISTANT_MODEL names a complete chat model GGUF file") from None
    partial = target.with_name(target.name + ".partial")
    tokenizer.save_pretrained(partial)
    partial.replace(target)  # atomic: a crash mid-save never leaves a half folder
    return target


class ChatPrompt:
    """apply_chat_template(..., tokenize=True) for one model's saved tokenizer folder."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer
        from transformers.utils.chat_template_utils import render_jinja_template

        self._render: Any = render_jinja_template  # imported at load time (about 1 s), not on the first draft
        self.folder = folder
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        config: dict[str, Any] = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        template_file = folder / "chat_template.jinja"  # transformers 5 saves it apart
        template = template_file.read_text(encoding="utf-8") if template_file.is_file() else config.get("chat_template")
        if not isinstance(template, str):
            raise BackendError(f"the tokenizer in {folder} has no chat template",
                               "use a chat (instruct) model for drafting")
        self.template = template
        # apply_chat_template passes the named special tokens to the template (bos_token, ...).
        self.special_tokens: dict[str, Any] = {k: text for k, v in config.items()
                                               if k.endswith("_token") and (text := _token_text(v)) is not None}

    def text(self, messages: list[dict[str, str]], prefix: str | None = None) -> str:
        """The prompt text. With ``prefix`` the reply starts with it (continue_final_message)."""
        if prefix:
            chat = [*messages, {"role": "assistant", "content": prefix}]
            rendered, _ = self._render([chat], chat_template=self.template, continue_final_message=True,
                                                **self.special_tokens)
        else:
            rendered, _ = self._render([messages], chat_template=self.template, add_generation_prompt=True,
                                                **self.special_tokens)
        return str(rendered[0])

    def ids(self, messages: list[dict[str, str]], prefix: str | None = None) -> list[int]:
        return self.encode(self.text(messages, prefix))

    def encode(self, text: str) -> list[int]:
        # apply_chat_template tokenizes with add_special_tokens=False: the template wrote them.
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)


def _token_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return value["content"]
    return None
