"""Practice groups: ready-made books for a new recorder to learn on, never counted."""
