"""``bench.pair_model.represent``: a model's own ``represent`` where it has one, else the three
contract calls."""

from bench.pair_model import represent


class _ThreeCalls:
    def joint(self, a, b):
        return ("joint", a, b)

    def encode_a(self, a):
        return ("a", a)

    def encode_b(self, b):
        return ("b", b)


class _OnePass(_ThreeCalls):
    def represent(self, a, b):
        return ("shared pass", a, b)


def test_represent_falls_back_to_the_contract_calls():
    assert represent(_ThreeCalls(), 1, 2) == (("joint", 1, 2), ("a", 1), ("b", 2))


def test_represent_prefers_the_model_s_own_pass():
    assert represent(_OnePass(), 1, 2) == ("shared pass", 1, 2)
