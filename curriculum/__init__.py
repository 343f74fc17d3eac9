"""ChipCommons curriculum layer."""
