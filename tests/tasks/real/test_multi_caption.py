"""Multi-caption Recall@K: known answers worked out by hand, agreement with the one-caption
``recall_at_k``, and chunked scoring equal to scoring in one piece."""

import numpy as np
import pytest
import torch

from tasks.metrics.multi_caption import multi_caption_gallery_recall, multi_caption_recall
from tasks.metrics.retrieval import recall_at_k

# Two images in the plane and four captions, two per image (text_image = [0, 0, 1, 1]).
IMAGES = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
TEXTS = torch.tensor([[0.2, 0.9],   # caption 0 of image 0, but closer to image 1
                      [0.9, 0.1],   # caption 1 of image 0
                      [0.8, 0.3],   # caption 2 of image 1, closer to image 0
                      [0.6, 0.5]])  # caption 3 of image 1, closer to image 0
OWNER = [0, 0, 1, 1]
# image -> text: image 0 scores [0.2, 0.9, 0.8, 0.6]: its caption 1 is first -> hit at 1.
#                image 1 scores [0.9, 0.1, 0.3, 0.5]: its best caption (3, 0.5) is second.
# text -> image: caption 0 ranks image 0 second; caption 1 first; captions 2 and 3 second.


def test_hand_computed_two_images_four_captions():
    out = multi_caption_recall(IMAGES, TEXTS, OWNER, ks=(1, 2))
    assert out["a2b_r1"] == 50.0 and out["a2b_r2"] == 100.0
    assert out["b2a_r1"] == 25.0 and out["b2a_r2"] == 100.0
    assert out["r_mean"] == pytest.approx((50 + 100 + 25 + 100) / 4)


def test_any_caption_of_an_image_counts():
    # Image 1's first caption is far down the list, its second on top: still a hit at 1.
    images = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    texts = torch.tensor([[1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])
    out = multi_caption_recall(images, texts, [0, 1, 1], ks=(1,))
    assert out["a2b_r1"] == 100.0
    assert out["b2a_r1"] == pytest.approx(100 * 2 / 3)  # caption 1 points away from its image


@pytest.mark.parametrize("seed", range(3))
def test_one_caption_per_image_equals_recall_at_k(seed):
    g = torch.Generator().manual_seed(seed)
    images, texts = torch.randn(40, 8, generator=g), torch.randn(40, 8, generator=g)
    out = multi_caption_recall(images, texts, np.arange(40))
    expected = recall_at_k(images @ texts.T)
    assert out.keys() == expected.keys()
    for key in out:
        assert out[key] == pytest.approx(expected[key], abs=1e-9)


def test_chunked_scoring_equals_one_piece():
    g = torch.Generator().manual_seed(0)
    images, texts = torch.randn(30, 6, generator=g), torch.randn(150, 6, generator=g)
    owner = np.repeat(np.arange(30), 5)
    whole = multi_caption_recall(images, texts, owner, chunk=10_000)
    for chunk in (1, 7, 64):
        assert multi_caption_recall(images, texts, owner, chunk=chunk) == pytest.approx(whole, abs=1e-9)


def test_constant_scores_give_chance():
    # 10 images x 5 captions, all tied: image -> text hits at 1 with P(one of 5 correct first)
    # = 5 / 50; text -> image with 1 / 10.
    out = multi_caption_recall(torch.ones(10, 4), torch.ones(50, 4), np.repeat(np.arange(10), 5), ks=(1,))
    assert out["a2b_r1"] == pytest.approx(10.0) and out["b2a_r1"] == pytest.approx(10.0)


def test_gallery_of_every_image_is_the_whole_set_and_smaller_galleries_keep_their_captions():
    g = torch.Generator().manual_seed(1)
    images, texts = torch.randn(12, 4, generator=g), torch.randn(60, 4, generator=g)
    owner = np.repeat(np.arange(12), 5)
    assert multi_caption_gallery_recall(images, texts, owner, 12, 3, seed=0) == \
        pytest.approx(multi_caption_recall(images, texts, owner))
    perfect = torch.eye(12)
    out = multi_caption_gallery_recall(perfect, perfect[owner], owner, 4, 3, seed=0)
    assert out["r_mean"] == 100.0


@pytest.mark.parametrize("owner, problem", [([0, 0, 3], "index"), ([0, 0], "each of"), ([0, 0, 0], "at least one")])
def test_bad_caption_owners_are_rejected(owner, problem):
    with pytest.raises(ValueError, match=problem):
        multi_caption_recall(torch.eye(2), torch.ones(3, 2), owner)
