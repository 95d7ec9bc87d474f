"""How a metric is read: bigger is better, smaller is better, or closest to the retrained
reference is best (forgetting is judged against retraining, not against "as bad as possible").
``info`` metrics (e.g. ``delta.l2``, the distance moved from the original) are reported and feed
sanity flags, but are neither ranked nor judged good or bad."""

HIGHER = "higher"
LOWER = "lower"
RETRAIN = "retrain"
INFO = "info"
DIRECTIONS = (HIGHER, LOWER, RETRAIN, INFO)
