import torch

import tasks.text_features as tf

CAPTIONS = ["grinning face, smileys & emotion", "aspirin", "red apple, food & drink"]


def test_token_states_are_cached_and_checked(tmp_path, monkeypatch):
    first = tf.cached_caption_tokens(CAPTIONS, 12, tmp_path)
    assert first.states.shape == (3, 12, tf.HIDDEN) and first.mask.dtype == torch.bool
    assert first.mask[:, 0].all() and not first.mask[1].all()  # "aspirin" is short: padded
    assert first.states.float().std() > 0.1  # real MiniLM states, not zeros

    calls = []
    real = tf.encode_captions
    monkeypatch.setattr(tf, "encode_captions", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = tf.cached_caption_tokens(CAPTIONS, 12, tmp_path)
    assert calls == [] and torch.equal(again.states, first.states)

    (cached,) = (tmp_path / "text").glob("*.safetensors")
    cached.write_bytes(b"not a safetensors file")
    rebuilt = tf.cached_caption_tokens(CAPTIONS, 12, tmp_path)
    assert calls == [1] and torch.equal(rebuilt.states, first.states)


def test_same_meaning_captions_get_similar_states():
    tokens = tf.encode_captions(["red apple", "a red apple", "sulfuric acid"], 8)
    cls = torch.nn.functional.normalize(tokens.states[:, 0].float(), dim=-1)
    assert cls[0] @ cls[1] > cls[0] @ cls[2]
