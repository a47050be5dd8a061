"""Publishing the figures: the citable data package (`package`, with its `readme` and
`citation`) and what changed between two versions of the data (`sides`, `diff`, `report`)."""
