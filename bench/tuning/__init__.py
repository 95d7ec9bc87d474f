"""Fair hyperparameter tuning (docs/tuning.md): every method gets the same number of Optuna
trials on tuning seeds disjoint from the reported ones, a selection rule that reads neither test
data nor the retrained reference picks each method's preset, and every trial is kept in the
results store for the forgetting-utility frontier.

- ``space``: the search spaces methods declare next to their defaults;
- ``validation``: the ``validation`` attack, the task metric on the validation split;
- ``evidence`` and ``selection``: trial records grouped per parameter setting, and the rules;
- ``marks``: the store wrapper that marks tuning records (and preset runs) in their manifest;
- ``tuner`` and ``command``: ``unlearnbench tune``; ``presets``: the shipped tuned presets.
"""
