"""What the configured model is trusted to do, per language, as measured by `assistant model check`."""

from assistant.models.qualify import MODES, Measurement, choose_mode, mode_for, model_key, record

__all__ = ["MODES", "Measurement", "choose_mode", "mode_for", "model_key", "record"]
