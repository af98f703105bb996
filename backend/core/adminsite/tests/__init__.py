"""Tests of the staff admin machinery."""
