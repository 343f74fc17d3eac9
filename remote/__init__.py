"""ChipCommons remote layer."""
