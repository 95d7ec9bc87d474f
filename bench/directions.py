"""How a metric is read: bigger is better, smaller is better, or closest to the retrained
reference is best (forgetting is judged against retraining, not against "as bad as possible")."""

HIGHER = "higher"
LOWER = "lower"
RETRAIN = "retrain"
DIRECTIONS = (HIGHER, LOWER, RETRAIN)
