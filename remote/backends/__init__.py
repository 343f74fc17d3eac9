"""Simulator and tool backends of the farm: each turns a job's inputs into a command, runs it and
parses its outputs into metrics, artefacts and an autograder-ready result."""
