"""Facts computed from a Dataset: number wording, the headline, shares, checks against texts."""
