"""The caches' file locks and integrity checks: two concurrent requests for one missing model (or
one set of text features) build it once, and a file whose bytes were changed, truncated or
written for another spec is rebuilt, never trusted."""

import threading
import time

import pytest
import torch

import tasks.text_features as tf
from bench.cache import ModelCache, tensor_checksum


def _concurrently(request, n: int = 2) -> None:
    threads = [threading.Thread(target=request) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_requests_train_a_model_once(tmp_path):
    calls, results = [], []

    def train(model):
        calls.append(1)
        time.sleep(0.5)  # long enough for the other request to arrive while this one trains
        return model, {"cost.unlearn_s": 0.5}

    def request():  # a cache object each, as two processes would have
        results.append(ModelCache(tmp_path).get_or_train("original", {"seed": 0}, lambda: torch.nn.Linear(2, 2), train))

    _concurrently(request)
    assert len(calls) == 1
    assert sorted(r.from_cache for r in results) == [False, True]


def _flip_last_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x40  # inside the last tensor's data: the header still parses
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_model_file_is_retrained_not_trusted(tmp_path, damage):
    cache, trained = ModelCache(tmp_path), []

    def train(model):
        trained.append(1)
        with torch.no_grad():
            model.weight.fill_(0.5)
            model.bias.fill_(-1.0)
        return model, {"cost.unlearn_s": 0.1}

    first = cache.get_or_train("original", {"seed": 0}, lambda: torch.nn.Linear(4, 4), train)
    path = cache.path("original", {"seed": 0})
    if damage == "flip":
        _flip_last_byte(path)
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    again = cache.get_or_train("original", {"seed": 0}, lambda: torch.nn.Linear(4, 4), train)
    assert len(trained) == 2 and not again.from_cache
    assert tensor_checksum(again.model.state_dict()) == tensor_checksum(first.model.state_dict())
    assert cache.get_or_train("original", {"seed": 0}, lambda: torch.nn.Linear(4, 4), train).from_cache


def test_the_checksum_sees_values_names_and_shapes():
    base = {"a": torch.zeros(2, 3), "b": torch.ones(1, dtype=torch.bool)}
    assert tensor_checksum(base) == tensor_checksum({k: v.clone() for k, v in base.items()})
    assert tensor_checksum(base) != tensor_checksum({**base, "a": torch.zeros(3, 2)})
    assert tensor_checksum(base) != tensor_checksum({"c": base["a"], "b": base["b"]})
    changed = base["a"].clone()
    changed[1, 2] = 1e-30
    assert tensor_checksum(base) != tensor_checksum({**base, "a": changed})


@pytest.fixture
def fake_encoder(monkeypatch):
    """Stands in for MiniLM: deterministic states from the captions, counting its calls."""
    calls = []

    def encode(captions, max_tokens, batch_size=128):
        calls.append(len(captions))
        time.sleep(0.3)  # a concurrent request arrives while this one encodes
        states = torch.stack([torch.full((max_tokens, tf.HIDDEN), float(len(c))) for c in captions]).half()
        return tf.TextTokens(states, torch.ones(len(captions), max_tokens, dtype=torch.bool))

    monkeypatch.setattr(tf, "encode_captions", encode)
    return calls


CAPTIONS = ["a cat", "a dog on a mat", "two birds"]


def test_concurrent_requests_encode_text_features_once(tmp_path, fake_encoder):
    results = []
    _concurrently(lambda: results.append(tf.cached_caption_tokens(CAPTIONS, 8, tmp_path)))
    assert fake_encoder == [3]
    assert torch.equal(results[0].states, results[1].states) and torch.equal(results[0].mask, results[1].mask)
    path = tf.caption_cache_path(CAPTIONS, 8, tmp_path)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".lock"]  # no temp left


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign"])
def test_a_damaged_text_feature_file_is_rebuilt_not_trusted(tmp_path, fake_encoder, damage):
    first = tf.cached_caption_tokens(CAPTIONS, 8, tmp_path)
    path = tf.caption_cache_path(CAPTIONS, 8, tmp_path)
    if damage == "flip":
        _flip_last_byte(path)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:  # another caption list's valid file under this name
        other = ["something else entirely", "and more", "and more still"]
        tf.cached_caption_tokens(other, 8, tmp_path)
        tf.caption_cache_path(other, 8, tmp_path).replace(path)
    again = tf.cached_caption_tokens(CAPTIONS, 8, tmp_path)
    assert len(fake_encoder) == (3 if damage == "foreign" else 2)
    assert torch.equal(again.states, first.states)
    tf.cached_caption_tokens(CAPTIONS, 8, tmp_path)  # now valid again: read, not encoded
    assert len(fake_encoder) == (3 if damage == "foreign" else 2)
