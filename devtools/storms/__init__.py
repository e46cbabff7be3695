"""Storm replays for evaluation: generated weeks and the data files under eval/storms/."""
