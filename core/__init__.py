"""ChipCommons core layer."""
