"""ChipCommons licensing layer."""
