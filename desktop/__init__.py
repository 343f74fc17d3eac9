"""ChipCommons desktop layer."""
