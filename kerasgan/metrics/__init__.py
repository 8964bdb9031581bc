"""Evaluation metrics: maths on activations, apart from the feature networks."""
