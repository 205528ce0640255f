"""Local simulators of Wethod, MissionX and Procore that enforce their documented contracts."""
