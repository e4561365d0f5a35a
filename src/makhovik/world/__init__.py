"""The world: agents as arrays and ties as CSR matrices, built from a scenario and the data pack's inputs."""

from .agents import World
from .build import build_world

__all__ = ["World", "build_world"]
