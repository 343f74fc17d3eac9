"""ChipCommons hub layer."""
