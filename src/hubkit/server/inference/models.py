"""Loaded models, one class per kind of runtime; all CPU, all read from a local folder.

Nothing here touches the network (``local_files_only``), runs code shipped in a repo
(``trust_remote_code`` stays off) or unpickles weights (``use_safetensors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .catalog import NotServed

LOAD_ARGS: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}


def _nbytes(module: Any) -> int:
    tensors = [*module.parameters(), *module.buffers()]
    return int(sum(t.numel() * t.element_size() for t in tensors))


class Loaded:
    """A model ready to run; ``nbytes`` is what it holds in memory (for the LRU budget)."""

    nbytes: int = 0

    def __init__(self, repo_id: str, folder: Path) -> None:
        self.repo_id = repo_id
        self.folder = folder


class Embedder(Loaded):
    """Sentence embeddings: sentence-transformers when the repo is one, else mean pooling."""

    def __init__(self, repo_id: str, folder: Path) -> None:
        super().__init__(repo_id, folder)
        from sentence_transformers import SentenceTransformer

        if not (folder / "modules.json").exists():
            raise NotServed(f"Model {repo_id} is not a sentence-transformers model (no modules.json).")
        self.model = SentenceTransformer(str(folder), device="cpu", model_kwargs={"use_safetensors": True}, **LOAD_ARGS)
        self.nbytes = _nbytes(self.model)

    def embed(self, texts: list[str], *, normalize: bool = False, prompt_name: str | None = None) -> Any:
        """A float32 array, one row per text (one batch through the model)."""
        return self.model.encode(
            texts,
            batch_size=max(1, len(texts)),
            normalize_embeddings=normalize,
            prompt_name=prompt_name,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def similarity(self, source: str, sentences: list[str]) -> list[float]:
        vectors = self.model.encode([source, *sentences], convert_to_tensor=True, show_progress_bar=False)
        return [float(x) for x in self.model.similarity(vectors[:1], vectors[1:])[0]]


class PipelineModel(Loaded):
    """A transformers pipeline (classification, fill-mask, token classification, zero-shot)."""

    def __init__(self, repo_id: str, folder: Path, task: str) -> None:
        super().__init__(repo_id, folder)
        from transformers import pipeline

        try:
            self.pipe = pipeline(
                task, model=str(folder), device="cpu", model_kwargs={"use_safetensors": True}, **LOAD_ARGS
            )
        except (OSError, ValueError, KeyError) as err:
            raise NotServed(f"Model {repo_id} cannot be loaded for {task}: {err}") from None
        self.task = task
        self.nbytes = _nbytes(self.pipe.model)

    def __call__(self, inputs: Any, **params: Any) -> Any:
        return self.pipe(inputs, **params)


class CausalLM(Loaded):
    """A causal language model and its tokenizer (chat template included when the repo has one)."""

    def __init__(self, repo_id: str, folder: Path) -> None:
        super().__init__(repo_id, folder)
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder), **LOAD_ARGS)
            self.model = AutoModelForCausalLM.from_pretrained(str(folder), use_safetensors=True, **LOAD_ARGS)
        except (OSError, ValueError, KeyError) as err:
            raise NotServed(f"Model {repo_id} cannot be loaded for text-generation: {err}") from None
        self.model.eval()
        self.nbytes = _nbytes(self.model)
        self.eos_ids = _eos_ids(self.model, self.tokenizer)
        self.max_positions = int(getattr(self.model.config, "max_position_embeddings", 0) or 0) or None

    def chat_prompt(self, messages: list[dict[str, Any]]) -> str:
        """The prompt for a conversation: the repo's chat template, else ``role: content`` lines."""
        if getattr(self.tokenizer, "chat_template", None):
            return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        lines = [f"{m.get('role', 'user')}: {_text(m.get('content'))}" for m in messages]
        return "\n".join([*lines, "assistant:"])


def _text(content: Any) -> str:
    """Message content as text (OpenAI allows a list of typed parts)."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return "" if content is None else str(content)


def normalize_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ValueError("messages must be a list of objects with a role and a content")
    return [{**m, "content": _text(m.get("content"))} for m in messages]


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), model.config):
        value = getattr(source, "eos_token_id", None) if source is not None else None
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, list):
            ids.update(v for v in value if isinstance(v, int))
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


def load(repo_id: str, folder: Path, pipeline: str) -> Loaded:
    """The runtime for ``pipeline`` over the files in ``folder``."""
    if pipeline in ("feature-extraction", "sentence-similarity"):
        return Embedder(repo_id, folder)
    if pipeline == "text-generation":
        return CausalLM(repo_id, folder)
    if pipeline in ("text-classification", "fill-mask", "token-classification", "zero-shot-classification"):
        return PipelineModel(repo_id, folder, pipeline)
    raise NotServed(f"Model {repo_id} has pipeline '{pipeline}', which this hub cannot run.")
